function v = only_input()
%ONLY_INPUT Asks one number with input (a scripted-input error test).
v = input('Number? ');
end
