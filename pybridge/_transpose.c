/*
 * pybridge._transpose: the transposing copy behind pybridge._layout (private).
 *
 * Turning a MATLAB H x W x C x N stack (column-major) into an N x C x H x W
 * array (row-major), or the reverse, is a copy in which the destination's
 * contiguous axis is not the source's. numpy's copy loop moves such arrays one
 * element at a time (uint8 at about a tenth of the speed of a plain copy, even
 * in the cache). This module moves them in square blocks of one SSE2 register
 * per row: K rows of the source (K = 16 / itemsize elements each) are loaded,
 * transposed in registers with log2(K) rounds of unpack instructions, and
 * stored as K rows of the destination. Where the CPU has AVX2 (checked when
 * the module is imported), two such blocks travel side by side in the two
 * halves of 32-byte registers, which halves the unpacks (on 1 MB stacks of 60 x
 * 60 patches, uint8 about 1.4x the SSE2 blocks' speed, int16 and float32
 * 1.25-1.4x, float64 1.1x). The blocks are visited in tiles of 32 bytes a
 * side, so that each cache line read or written is used while it is in the
 * first-level cache. Edges narrower than a block are covered by a block moved
 * back to end at the edge (it rewrites a few elements with the same values).
 *
 * Only the blocks beat numpy: copied element by element in the same tiles
 * (the build below), the copy was slower than numpy's loop in most cases, up
 * to about 2x for 1- to 8-byte elements and 6x for 16-byte ones. So where the
 * blocks do not apply (no SSE2, as on ARM; elements of other than 1, 2, 4 or
 * 8 bytes; an axis shorter than one block) the module declines and numpy
 * copies. -DPB_NO_SIMD builds it without SSE2 (the tests check that such a
 * build declines every copy).
 *
 * copy(dst, src, wide=True) -> bool
 *     dst, src: objects with the buffer protocol (numpy arrays), the same
 *     shape and itemsize, not overlapping. Copies and returns True when the
 *     destination is contiguous along one axis and the source along another
 *     (a transpose) and the blocks apply (above); returns False, copying
 *     nothing, otherwise (the caller copies with numpy). Runs without the GIL.
 *     wide=False: SSE2 blocks only, even where AVX2 is there (the tests check
 *     both).
 * SIMD: 1 where built with the SSE2 blocks. AVX2: 1 where the AVX2 blocks
 *     are built and this CPU runs them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* -DPB_NO_SIMD: built as on a machine without SSE2 (every copy declined). */
#if (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)) \
    && !defined(PB_NO_SIMD)
#include <emmintrin.h>
#define PB_SSE2 1
#endif

/* AVX2 blocks, compiled for AVX2 whatever the build's flags and taken where the CPU has it
 * (GCC and clang on x86; other compilers build the SSE2 blocks alone). -DPB_NO_AVX2 leaves
 * them out. */
#if defined(PB_SSE2) && (defined(__GNUC__) || defined(__clang__)) \
    && (defined(__x86_64__) || defined(__i386__)) && !defined(PB_NO_AVX2)
#include <immintrin.h>
#define PB_AVX2 1
#define PB_AVX2_FN static inline __attribute__((always_inline, target("avx2")))
#endif

#if defined(_MSC_VER)
#define PB_INLINE static __forceinline
#else
#define PB_INLINE static inline __attribute__((always_inline))
#endif

#define PB_MAX_DIMS 64
/* The side of a tile, in bytes of the elements along it. -DPB_TILE_BYTES=64 to compare:
 * on 1 MB stacks of 60 x 60 patches 32 was faster with the AVX2 blocks for every element
 * size (1.1-1.7x), and within 0.9-1.15x of 64 with the SSE2 blocks alone. */
#ifndef PB_TILE_BYTES
#define PB_TILE_BYTES 32
#endif

typedef Py_ssize_t ssize;

#ifdef PB_SSE2
/* Interleave the low (hi = 0) or high halves of x and y in units of w bytes. */
PB_INLINE __m128i
unpack(__m128i x, __m128i y, int w, int hi)
{
    switch (w) {
    case 1:
        return hi ? _mm_unpackhi_epi8(x, y) : _mm_unpacklo_epi8(x, y);
    case 2:
        return hi ? _mm_unpackhi_epi16(x, y) : _mm_unpacklo_epi16(x, y);
    case 4:
        return hi ? _mm_unpackhi_epi32(x, y) : _mm_unpacklo_epi32(x, y);
    default:
        return hi ? _mm_unpackhi_epi64(x, y) : _mm_unpacklo_epi64(x, y);
    }
}

/* Bit reversal of 4, 3, 2, 1 bits: the order in which the rounds leave the rows. */
static const int REV16[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
static const int REV8[8] = {0, 4, 2, 6, 1, 5, 3, 7};
static const int REV4[4] = {0, 2, 1, 3};
static const int REV2[2] = {0, 1};

/* One K x K block, K = 16 / e: row j of the source (16 bytes at src + j * sa)
 * becomes column j of the destination (rows at dst + i * db). Each round
 * pairs rows 2p and 2p + 1 and puts their interleaved low halves in row p,
 * their high halves in row p + K / 2, with units twice as wide as the round
 * before; after log2(K) rounds row r holds destination row REV(r). */
PB_INLINE void
block(char *dst, const char *src, ssize db, ssize sa, int e)
{
    enum { MAXK = 16 };
    const int k = 16 / e;
    const int *rev = k == 16 ? REV16 : k == 8 ? REV8 : k == 4 ? REV4 : REV2;
    __m128i v[MAXK], t[MAXK];
    for (int j = 0; j < k; j++)
        v[j] = _mm_loadu_si128((const __m128i *)(src + j * sa));
    for (int w = e; w < 16; w *= 2) {
        for (int p = 0; p < k / 2; p++) {
            t[p] = unpack(v[2 * p], v[2 * p + 1], w, 0);
            t[p + k / 2] = unpack(v[2 * p], v[2 * p + 1], w, 1);
        }
        for (int p = 0; p < k; p++)
            v[p] = t[p];
    }
    for (int r = 0; r < k; r++)
        _mm_storeu_si128((__m128i *)(dst + rev[r] * db), v[r]);
}

/* The tiles of blocks, for one element size (a constant once inlined). */
PB_INLINE void
blocked2d(char *dst, const char *src, ssize ni, ssize nj, ssize db, ssize sa, int e)
{
    const ssize k = 16 / e;
    const ssize t = PB_TILE_BYTES / e;
    for (ssize ti = 0; ti < ni; ti += t) {
        ssize ei = ti + t < ni ? ti + t : ni;
        for (ssize tj = 0; tj < nj; tj += t) {
            ssize ej = tj + t < nj ? tj + t : nj;
            for (ssize j = tj; j < ej; j += k) {
                ssize jj = j + k <= nj ? j : nj - k;
                for (ssize i = ti; i < ei; i += k) {
                    ssize ii = i + k <= ni ? i : ni - k;
                    block(dst + ii * db + jj * e, src + ii * e + jj * sa, db, sa, e);
                }
            }
        }
    }
}

#ifdef PB_AVX2
/* The same rounds on 32-byte registers, whose two 16-byte lanes the unpack
 * instructions treat as two registers: each lane carries its own K x K block,
 * so one instruction does the work of two. Register j holds source row j in
 * its low lane and source row j + K in its high lane (the two blocks side by
 * side along the destination's rows), so that after the rounds each register
 * is one 32-byte run of a destination row: K x 2K elements in K loads of two
 * halves, K log2(K) unpacks (half the SSE2 blocks' count) and K stores. */
PB_AVX2_FN __m256i
unpack256(__m256i x, __m256i y, int w, int hi)
{
    switch (w) {
    case 1:
        return hi ? _mm256_unpackhi_epi8(x, y) : _mm256_unpacklo_epi8(x, y);
    case 2:
        return hi ? _mm256_unpackhi_epi16(x, y) : _mm256_unpacklo_epi16(x, y);
    case 4:
        return hi ? _mm256_unpackhi_epi32(x, y) : _mm256_unpacklo_epi32(x, y);
    default:
        return hi ? _mm256_unpackhi_epi64(x, y) : _mm256_unpacklo_epi64(x, y);
    }
}

PB_AVX2_FN void
block2(char *dst, const char *src, ssize db, ssize sa, int e)
{
    enum { MAXK = 16 };
    const int k = 16 / e;
    const int *rev = k == 16 ? REV16 : k == 8 ? REV8 : k == 4 ? REV4 : REV2;
    __m256i v[MAXK], t[MAXK];
    for (int j = 0; j < k; j++)
        v[j] = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(src + j * sa))),
            _mm_loadu_si128((const __m128i *)(src + (j + k) * sa)), 1);
    for (int w = e; w < 16; w *= 2) {
        for (int p = 0; p < k / 2; p++) {
            t[p] = unpack256(v[2 * p], v[2 * p + 1], w, 0);
            t[p + k / 2] = unpack256(v[2 * p], v[2 * p + 1], w, 1);
        }
        for (int p = 0; p < k; p++)
            v[p] = t[p];
    }
    for (int r = 0; r < k; r++)
        _mm256_storeu_si256((__m256i *)(dst + rev[r] * db), v[r]);
}

/* The tiles of blocked2d, with blocks of K x 2K (nj >= 2K). */
PB_AVX2_FN void
blocked2d_avx2(char *dst, const char *src, ssize ni, ssize nj, ssize db, ssize sa, int e)
{
    const ssize k = 16 / e;
    const ssize t = PB_TILE_BYTES / e;
    for (ssize ti = 0; ti < ni; ti += t) {
        ssize ei = ti + t < ni ? ti + t : ni;
        for (ssize tj = 0; tj < nj; tj += t) {
            ssize ej = tj + t < nj ? tj + t : nj;
            for (ssize j = tj; j < ej; j += 2 * k) {
                ssize jj = j + 2 * k <= nj ? j : nj - 2 * k;
                for (ssize i = ti; i < ei; i += k) {
                    ssize ii = i + k <= ni ? i : ni - k;
                    block2(dst + ii * db + jj * e, src + ii * e + jj * sa, db, sa, e);
                }
            }
        }
    }
}

static __attribute__((target("avx2"))) void
avx2_1(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d_avx2(d, s, ni, nj, db, sa, 1); }
static __attribute__((target("avx2"))) void
avx2_2(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d_avx2(d, s, ni, nj, db, sa, 2); }
static __attribute__((target("avx2"))) void
avx2_4(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d_avx2(d, s, ni, nj, db, sa, 4); }
static __attribute__((target("avx2"))) void
avx2_8(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d_avx2(d, s, ni, nj, db, sa, 8); }
#endif

static void blocked2d_1(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d(d, s, ni, nj, db, sa, 1); }
static void blocked2d_2(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d(d, s, ni, nj, db, sa, 2); }
static void blocked2d_4(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d(d, s, ni, nj, db, sa, 4); }
static void blocked2d_8(char *d, const char *s, ssize ni, ssize nj, ssize db, ssize sa)
{ blocked2d(d, s, ni, nj, db, sa, 8); }
#endif

/* Whether the blocks copy an ni x nj transpose of e-byte elements. */
static int
blocks_apply(ssize ni, ssize nj, ssize e)
{
#ifdef PB_SSE2
    return (e == 1 || e == 2 || e == 4 || e == 8) && ni >= 16 / e && nj >= 16 / e;
#else
    (void)ni, (void)nj, (void)e;
    return 0;
#endif
}

#ifdef PB_SSE2
/* One 2-D transpose (blocks_apply is true): i runs along the source's contiguous
 * axis, j along the destination's. */
static void
transpose2d(char *dst, const char *src, ssize ni, ssize nj, ssize db, ssize sa, int e, int wide)
{
#ifdef PB_AVX2
    if (wide && nj >= 32 / e) {
        switch (e) {
        case 1: avx2_1(dst, src, ni, nj, db, sa); return;
        case 2: avx2_2(dst, src, ni, nj, db, sa); return;
        case 4: avx2_4(dst, src, ni, nj, db, sa); return;
        default: avx2_8(dst, src, ni, nj, db, sa); return;
        }
    }
#else
    (void)wide;
#endif
    switch (e) {
    case 1: blocked2d_1(dst, src, ni, nj, db, sa); return;
    case 2: blocked2d_2(dst, src, ni, nj, db, sa); return;
    case 4: blocked2d_4(dst, src, ni, nj, db, sa); return;
    default: blocked2d_8(dst, src, ni, nj, db, sa); return;
    }
}
#endif

/* Whether the CPU runs AVX2 (set when the module is imported). */
static int have_avx2 = 0;

typedef struct {
    int n;  /* the axes other than the two of the transpose */
    ssize shape[PB_MAX_DIMS], ds[PB_MAX_DIMS], ss[PB_MAX_DIMS];
    ssize ni, nj, db, sa;
    int e, wide;
} job_t;

#ifdef PB_SSE2
static void
outer(const job_t *job, int k, char *dst, const char *src)
{
    if (k == job->n) {
        transpose2d(dst, src, job->ni, job->nj, job->db, job->sa, job->e, job->wide);
        return;
    }
    for (ssize x = 0; x < job->shape[k]; x++)
        outer(job, k + 1, dst + x * job->ds[k], src + x * job->ss[k]);
}
#endif

static PyObject *
transpose_copy(PyObject *self, PyObject *args)
{
    PyObject *dobj, *sobj;
    Py_buffer d, s;
    int handled = 0, wide = 1;
    if (!PyArg_ParseTuple(args, "OO|p:copy", &dobj, &sobj, &wide))
        return NULL;
    if (PyObject_GetBuffer(dobj, &d, PyBUF_STRIDES | PyBUF_WRITABLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(sobj, &s, PyBUF_STRIDES) < 0) {
        PyBuffer_Release(&d);
        return NULL;
    }
    if (d.ndim != s.ndim || d.itemsize != s.itemsize) {
        PyErr_Format(PyExc_ValueError,
                     "copy between a %d-d array of %zd-byte elements and a %d-d array of "
                     "%zd-byte elements: both must have the same shape and element size",
                     s.ndim, s.itemsize, d.ndim, d.itemsize);
        goto done;
    }
    for (int i = 0; i < d.ndim; i++) {
        if (d.shape[i] != s.shape[i]) {
            PyErr_SetString(PyExc_ValueError,
                            "copy between arrays of different shapes: both must have the same");
            goto done;
        }
        if (d.shape[i] == 0)
            goto ok;  /* nothing to copy */
    }
    {
        const ssize e = d.itemsize;
        int a = -1, b = -1;  /* the destination's and the source's contiguous axes */
        for (int i = 0; i < d.ndim; i++) {
            if (d.shape[i] == 1)
                continue;
            if (d.strides[i] == e && a < 0)
                a = i;
            if (s.strides[i] == e && b < 0)
                b = i;
        }
        if (a < 0 || b < 0 || a == b || d.ndim > PB_MAX_DIMS || !blocks_apply(d.shape[b], d.shape[a], e))
            goto done;  /* not a transpose, or not one for the blocks: left to the caller */
        job_t job;
        job.n = 0;
        job.e = (int)e;
        job.wide = wide && have_avx2;
        job.ni = d.shape[b];
        job.nj = d.shape[a];
        job.db = d.strides[b];
        job.sa = s.strides[a];
        for (int i = 0; i < d.ndim; i++) {
            if (i == a || i == b || d.shape[i] == 1)
                continue;
            job.shape[job.n] = d.shape[i];
            job.ds[job.n] = d.strides[i];
            job.ss[job.n] = s.strides[i];
            job.n++;
        }
#ifdef PB_SSE2
        Py_BEGIN_ALLOW_THREADS
        outer(&job, 0, (char *)d.buf, (const char *)s.buf);
        Py_END_ALLOW_THREADS
#endif
    }
ok:
    handled = 1;
done:
    PyBuffer_Release(&s);
    PyBuffer_Release(&d);
    if (PyErr_Occurred())
        return NULL;
    return PyBool_FromLong(handled);
}

static PyMethodDef methods[] = {
    {"copy", transpose_copy, METH_VARARGS,
     "copy(dst, src, wide=True) -> bool: copy src into dst when it is a transpose (see the "
     "module); wide=False: SSE2 blocks only."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "pybridge._transpose",
    "The transposing copy behind pybridge._layout (private).", -1, methods,
};

PyMODINIT_FUNC
PyInit__transpose(void)
{
    PyObject *m = PyModule_Create(&module);
#ifdef PB_SSE2
    const long simd = 1;
#else
    const long simd = 0;
#endif
#ifdef PB_AVX2
    __builtin_cpu_init();
    have_avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
    if (m != NULL && (PyModule_AddIntConstant(m, "SIMD", simd) < 0
                      || PyModule_AddIntConstant(m, "AVX2", have_avx2) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
