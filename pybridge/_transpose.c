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
 * copy(dst, src, wide=True, threads=False) -> bool
 *     dst, src: objects with the buffer protocol (numpy arrays), the same
 *     shape and itemsize, not overlapping. Copies and returns True when the
 *     destination is contiguous along one axis and the source along another
 *     (a transpose) and the blocks apply (above); returns False, copying
 *     nothing, otherwise (the caller copies with numpy). Runs without the GIL.
 *     wide=False: SSE2 blocks only, even where AVX2 is there (the tests check
 *     both).
 *     threads=True: a copy of SPLIT_BYTES or more may be split with the
 *     helper thread (below).
 * SIMD: 1 where built with the SSE2 blocks. AVX2: 1 where the AVX2 blocks
 *     are built and this CPU runs them. THREADS: 1 where the helper thread is
 *     built (POSIX systems with GCC or clang).
 * helper_parts() -> (int, int): halves copied by the helper so far, and halves
 *     offered to it that the caller took back (for the tests).
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

/* A second thread for copies that fit in the cache (POSIX threads, GCC or clang's atomics).
 * -DPB_NO_THREADS leaves it out. */
#if defined(PB_SSE2) && (defined(__GNUC__) || defined(__clang__)) && !defined(_WIN32) \
    && !defined(PB_NO_THREADS)
#include <pthread.h>
#include <time.h>
#define PB_THREADS 1
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
/* NAME(x, y, w, hi): interleave the low (hi = 0) or high halves of x and y (of each 16-byte
 * lane) in units of w bytes, with the unpack instructions of prefix P (_mm or _mm256). */
#define PB_UNPACK(NAME, FN, TYPE, P)                                          \
    FN TYPE NAME(TYPE x, TYPE y, int w, int hi)                               \
    {                                                                         \
        switch (w) {                                                          \
        case 1:                                                               \
            return hi ? P##_unpackhi_epi8(x, y) : P##_unpacklo_epi8(x, y);    \
        case 2:                                                               \
            return hi ? P##_unpackhi_epi16(x, y) : P##_unpacklo_epi16(x, y);  \
        case 4:                                                               \
            return hi ? P##_unpackhi_epi32(x, y) : P##_unpacklo_epi32(x, y);  \
        default:                                                              \
            return hi ? P##_unpackhi_epi64(x, y) : P##_unpacklo_epi64(x, y);  \
        }                                                                     \
    }

PB_UNPACK(unpack, PB_INLINE, __m128i, _mm)

/* Bit reversal of 4, 3, 2, 1 bits: the order in which the rounds leave the rows. */
static const int REV16[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
static const int REV8[8] = {0, 4, 2, 6, 1, 5, 3, 7};
static const int REV4[4] = {0, 2, 1, 3};
static const int REV2[2] = {0, 1};

/* The log2(K) rounds on the K registers v (t: scratch), with UNPACK of the register width.
 * Each round pairs rows 2p and 2p + 1 and puts their interleaved low halves in row p,
 * their high halves in row p + K / 2, with units twice as wide as the round before. */
#define PB_ROUNDS(v, t, k, e, UNPACK)                                   \
    do {                                                                \
        for (int w = (e); w < 16; w *= 2) {                             \
            for (int p = 0; p < (k) / 2; p++) {                         \
                t[p] = UNPACK(v[2 * p], v[2 * p + 1], w, 0);            \
                t[p + (k) / 2] = UNPACK(v[2 * p], v[2 * p + 1], w, 1);  \
            }                                                           \
            for (int p = 0; p < (k); p++)                               \
                v[p] = t[p];                                            \
        }                                                               \
    } while (0)

/* One K x K block, K = 16 / e: row j of the source (16 bytes at src + j * sa)
 * becomes column j of the destination (rows at dst + i * db); after the rounds
 * row r holds destination row REV(r). */
PB_INLINE void
block(char *dst, const char *src, ssize db, ssize sa, int e)
{
    enum { MAXK = 16 };
    const int k = 16 / e;
    const int *rev = k == 16 ? REV16 : k == 8 ? REV8 : k == 4 ? REV4 : REV2;
    __m128i v[MAXK], t[MAXK];
    for (int j = 0; j < k; j++)
        v[j] = _mm_loadu_si128((const __m128i *)(src + j * sa));
    PB_ROUNDS(v, t, k, e, unpack);
    for (int r = 0; r < k; r++)
        _mm_storeu_si128((__m128i *)(dst + rev[r] * db), v[r]);
}

/* The tiles of blocks, for one element size (a constant once inlined): blocks of K x
 * (STEP K) elements, moved by BLOCK (STEP 1: the SSE2 blocks; 2: the AVX2 pairs, nj >= 2K). */
#define PB_TILES(dst, src, ni, nj, db, sa, e, BLOCK, STEP)                                 \
    do {                                                                                  \
        const ssize k_ = 16 / (e), w_ = (STEP) * k_, t_ = PB_TILE_BYTES / (e);            \
        for (ssize ti = 0; ti < (ni); ti += t_) {                                         \
            ssize ei = ti + t_ < (ni) ? ti + t_ : (ni);                                   \
            for (ssize tj = 0; tj < (nj); tj += t_) {                                     \
                ssize ej = tj + t_ < (nj) ? tj + t_ : (nj);                               \
                for (ssize j = tj; j < ej; j += w_) {                                     \
                    ssize jj = j + w_ <= (nj) ? j : (nj) - w_;                            \
                    for (ssize i = ti; i < ei; i += k_) {                                 \
                        ssize ii = i + k_ <= (ni) ? i : (ni) - k_;                        \
                        BLOCK((dst) + ii * (db) + jj * (e), (src) + ii * (e) + jj * (sa), \
                              (db), (sa), (e));                                           \
                    }                                                                     \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    } while (0)

PB_INLINE void
blocked2d(char *dst, const char *src, ssize ni, ssize nj, ssize db, ssize sa, int e)
{
    PB_TILES(dst, src, ni, nj, db, sa, e, block, 1);
}

#ifdef PB_AVX2
/* The same rounds on 32-byte registers, whose two 16-byte lanes the unpack
 * instructions treat as two registers: each lane carries its own K x K block,
 * so one instruction does the work of two. Register j holds source row j in
 * its low lane and source row j + K in its high lane (the two blocks side by
 * side along the destination's rows), so that after the rounds each register
 * is one 32-byte run of a destination row: K x 2K elements in K loads of two
 * halves, K log2(K) unpacks (half the SSE2 blocks' count) and K stores. */
PB_UNPACK(unpack256, PB_AVX2_FN, __m256i, _mm256)

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
    PB_ROUNDS(v, t, k, e, unpack256);
    for (int r = 0; r < k; r++)
        _mm256_storeu_si256((__m256i *)(dst + rev[r] * db), v[r]);
}

/* The tiles of blocked2d, with blocks of K x 2K (nj >= 2K). */
PB_AVX2_FN void
blocked2d_avx2(char *dst, const char *src, ssize ni, ssize nj, ssize db, ssize sa, int e)
{
    PB_TILES(dst, src, ni, nj, db, sa, e, block2, 2);
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

#ifdef PB_THREADS
/* The helper: one thread, started by the first copy that asks for it, that takes the second
 * half of a copy (split along an outer axis, or along the destination's rows of a single
 * plane) while the calling thread copies the first. Handing work to a thread pool from
 * Python costs more than a 1 MB copy takes; here it costs a store and a signal.
 *
 * The half is offered, not promised: the slot goes EMPTY -> POSTED (caller) -> TAKEN
 * (helper) -> DONE (helper) -> EMPTY (caller), or POSTED -> STOLEN (caller) -> EMPTY when
 * the caller finishes its own half before the helper has taken the other. Only a helper
 * that is polling gets an offer: one asleep (PB_SPIN_NS after its last half or wake-up)
 * takes longer to wake, on a core that was idle, than the copy takes alone, so such a copy
 * runs on the calling thread, and wakes the helper to poll for the next only when it came
 * within PB_SPIN_NS of the last. Copies in a row (a loop over stacks) thus run on two
 * threads from the third on; a copy after a pause runs on one, and costs the helper
 * nothing. One copy at a time uses the helper; a copy that finds it in use copies alone. */
enum { EMPTY, POSTED, TAKEN, DONE, STOLEN };

typedef struct {
    job_t job;
    char *dst;
    const char *src;
} part_t;

/* Copies of at least this many bytes are split (smaller ones are over before a second
 * thread could start). */
#ifndef PB_SPLIT_BYTES
#define PB_SPLIT_BYTES (128 << 10)
#endif
#ifndef PB_SPIN_NS
#define PB_SPIN_NS 100000
#endif

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    int started;   /* under mu */
    int poked;     /* under mu: wake up and poll (a copy came while the helper slept) */
    int polling;   /* atomic: the helper polls the slot (it will take a half at once) */
    int slot;      /* atomic */
    int busy;      /* atomic: a copy holds the helper */
    long parts;    /* atomic: halves the helper has copied (the tests read it) */
    long stolen;   /* atomic: halves offered and copied by the caller after all */
    long long last_ns; /* atomic: when the last copy that could split ended */
    int active;    /* atomic: copies that could split, in progress */
    part_t part;   /* written before slot = POSTED, read after TAKEN */
} helper = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
            .done = PTHREAD_COND_INITIALIZER, .slot = EMPTY};

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static int
swap_slot(int from, int to)
{
    return __atomic_compare_exchange_n(&helper.slot, &from, to, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

static long long
now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Poll until slot == want or PB_SPIN_NS have passed; whether it got there (the caller's
 * wait for the helper's half). */
static int
spin_for(int want)
{
    long long end = now_ns() + PB_SPIN_NS;
    for (unsigned n = 1;; n++) {
        if (LOAD(helper.slot) == want)
            return 1;
        _mm_pause();
        if ((n & 255) == 0 && now_ns() > end)
            return 0;
    }
}

/* The helper's poll: until a half is posted (1), or (0) PB_SPIN_NS have passed since it
 * woke up and since the last copy that could split ended, with none in progress. */
static int
poll_for_half(void)
{
    long long woke = now_ns();
    for (unsigned n = 1;; n++) {
        if (LOAD(helper.slot) == POSTED)
            return 1;
        _mm_pause();
        if ((n & 255) == 0) {
            long long t = now_ns();
            if (t - woke > PB_SPIN_NS && t - LOAD(helper.last_ns) > PB_SPIN_NS
                && !LOAD(helper.active))
                return 0;
        }
    }
}

static void *
helper_main(void *arg)
{
    (void)arg;
    for (;;) {
        STORE(helper.polling, 1);
        if (!poll_for_half()) {
            pthread_mutex_lock(&helper.mu);
            STORE(helper.polling, 0);
            while (LOAD(helper.slot) != POSTED && !helper.poked)
                pthread_cond_wait(&helper.wake, &helper.mu);
            helper.poked = 0;
            pthread_mutex_unlock(&helper.mu);
            continue;  /* poll again, or take the half */
        }
        if (!swap_slot(POSTED, TAKEN))
            continue;  /* stolen back by the caller */
        outer(&helper.part.job, 0, helper.part.dst, helper.part.src);
        __atomic_add_fetch(&helper.parts, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&helper.mu);
        STORE(helper.slot, DONE);
        pthread_cond_signal(&helper.done);
        pthread_mutex_unlock(&helper.mu);
    }
    return NULL;
}

/* In a forked child the helper thread is gone (fork copies only the calling thread). */
static void
helper_after_fork(void)
{
    pthread_mutex_init(&helper.mu, NULL);
    pthread_cond_init(&helper.wake, NULL);
    pthread_cond_init(&helper.done, NULL);
    helper.started = 0;
    helper.poked = 0;
    helper.polling = 0;
    helper.slot = EMPTY;
    helper.busy = 0;
    helper.active = 0;
}

static int
helper_start(void)
{
    int ok;
    pthread_mutex_lock(&helper.mu);
    if (!helper.started) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        helper.started = pthread_create(&t, &attr, helper_main, NULL) == 0;
        pthread_attr_destroy(&attr);
    }
    ok = helper.started;
    pthread_mutex_unlock(&helper.mu);
    return ok;
}

static ssize
magnitude(ssize x)
{
    return x < 0 ? -x : x;
}

/* The job as two halves; 0 where it does not split. It splits along the axis with the
 * destination's longest stride, so that each thread writes its own half of the memory:
 * an outer axis (the stacks of N x C x H x W), the source's contiguous axis (the last of a
 * column-major destination when the axis order is reversed) if each half keeps at least
 * one block of it, or else the destination's rows of a single plane. */
static int
split(const job_t *job, char *dst, const char *src, part_t *a, part_t *b)
{
    const ssize k = 16 / job->e;
    int best = -1;  /* the outer axis with the longest destination stride */
    for (int x = 0; x < job->n; x++)
        if (job->shape[x] >= 2 && (best < 0 || magnitude(job->ds[x]) > magnitude(job->ds[best])))
            best = x;
    a->job = *job;
    b->job = *job;
    a->dst = dst;
    a->src = src;
    if (job->ni >= 2 * k && (best < 0 || magnitude(job->db) > magnitude(job->ds[best]))) {
        ssize h = job->ni / 2;
        a->job.ni = h;
        b->job.ni = job->ni - h;
        b->dst = dst + h * job->db;
        b->src = src + h * job->e;
        return 1;
    }
    if (best >= 0) {
        ssize h = job->shape[best] / 2;
        a->job.shape[best] = h;
        b->job.shape[best] = job->shape[best] - h;
        b->dst = dst + h * job->ds[best];
        b->src = src + h * job->ss[best];
        return 1;
    }
    if (job->nj >= 4 * k) {
        ssize h = job->nj / 2;
        a->job.nj = h;
        b->job.nj = job->nj - h;
        b->dst = dst + h * job->e;
        b->src = src + h * job->sa;
        return 1;
    }
    return 0;
}

/* The job on two threads where the helper is free and polling and the job splits; else on
 * this one. */
static void
run_job(const job_t *job, char *dst, const char *src, ssize nbytes, int threads)
{
    part_t a, b;
    if (!threads || nbytes < PB_SPLIT_BYTES || !split(job, dst, src, &a, &b)) {
        outer(job, 0, dst, src);
        return;
    }
    __atomic_add_fetch(&helper.active, 1, __ATOMIC_ACQ_REL);
    if (__atomic_exchange_n(&helper.busy, 1, __ATOMIC_ACQUIRE)) {
        outer(job, 0, dst, src);  /* another copy has the helper */
        goto end;
    }
    if (!helper_start() || !LOAD(helper.polling)) {
        /* Asleep: a woken thread, on a core that was idle, took longer than the whole copy
         * (an earlier version that woke the helper for every copy: a 1 MB copy after 2 ms
         * idle took 180 us on two threads, 74 us on one, on a 2-core VM). This copy runs
         * alone; if it follows the last within PB_SPIN_NS (copies in a row) the helper
         * wakes up to poll for the next. */
        if (now_ns() - LOAD(helper.last_ns) < PB_SPIN_NS) {
            pthread_mutex_lock(&helper.mu);
            helper.poked = 1;
            pthread_cond_signal(&helper.wake);
            pthread_mutex_unlock(&helper.mu);
        }
        STORE(helper.busy, 0);
        outer(job, 0, dst, src);
        goto end;
    }
    helper.part = b;
    pthread_mutex_lock(&helper.mu);
    STORE(helper.slot, POSTED);
    pthread_cond_signal(&helper.wake);
    pthread_mutex_unlock(&helper.mu);
    outer(&a.job, 0, a.dst, a.src);
    if (swap_slot(POSTED, STOLEN)) {
        outer(&b.job, 0, b.dst, b.src);
        __atomic_add_fetch(&helper.stolen, 1, __ATOMIC_RELAXED);
    } else if (!spin_for(DONE)) {
        pthread_mutex_lock(&helper.mu);
        while (LOAD(helper.slot) != DONE)
            pthread_cond_wait(&helper.done, &helper.mu);
        pthread_mutex_unlock(&helper.mu);
    }
    STORE(helper.slot, EMPTY);
    STORE(helper.busy, 0);
end:
    STORE(helper.last_ns, now_ns());
    __atomic_sub_fetch(&helper.active, 1, __ATOMIC_ACQ_REL);
}
#endif

static PyObject *
transpose_copy(PyObject *self, PyObject *args)
{
    PyObject *dobj, *sobj;
    Py_buffer d, s;
    int handled = 0, wide = 1, threads = 0;
    if (!PyArg_ParseTuple(args, "OO|pp:copy", &dobj, &sobj, &wide, &threads))
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
#ifdef PB_THREADS
        run_job(&job, (char *)d.buf, (const char *)s.buf, d.len, threads);
#else
        (void)threads;
        outer(&job, 0, (char *)d.buf, (const char *)s.buf);
#endif
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

static PyObject *
helper_parts(PyObject *self, PyObject *args)
{
    (void)self, (void)args;
#ifdef PB_THREADS
    return Py_BuildValue("ll", __atomic_load_n(&helper.parts, __ATOMIC_RELAXED),
                         __atomic_load_n(&helper.stolen, __ATOMIC_RELAXED));
#else
    return Py_BuildValue("ll", 0L, 0L);
#endif
}

static PyMethodDef methods[] = {
    {"helper_parts", helper_parts, METH_NOARGS,
     "helper_parts() -> (int, int): the halves of copies the helper thread has copied so far, "
     "and those offered to it that the calling thread copied after all."},
    {"copy", transpose_copy, METH_VARARGS,
     "copy(dst, src, wide=True, threads=False) -> bool: copy src into dst when it is a "
     "transpose (see the module); wide=False: SSE2 blocks only; threads=True: split a copy "
     "of 128 KB or more with the helper thread."},
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
#ifdef PB_THREADS
    static int registered = 0;
    if (!registered)
        registered = pthread_atfork(NULL, NULL, helper_after_fork) == 0;
    const long threads = registered, split_bytes = PB_SPLIT_BYTES, spin_ns = PB_SPIN_NS;
#else
    const long threads = 0, split_bytes = 0, spin_ns = 0;
#endif
    if (m != NULL && (PyModule_AddIntConstant(m, "SIMD", simd) < 0
                      || PyModule_AddIntConstant(m, "AVX2", have_avx2) < 0
                      || PyModule_AddIntConstant(m, "THREADS", threads) < 0
                      || PyModule_AddIntConstant(m, "SPLIT_BYTES", split_bytes) < 0
                      || PyModule_AddIntConstant(m, "SPIN_NS", spin_ns) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
