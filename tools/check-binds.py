#!/usr/bin/env python3
"""check-binds.py - every store_run/store_query call in src/ binds as many
values as its format string says, the SQL's highest $n equals the format's
length, and 'i' values are int64_t. A mismatch is undefined behaviour
(va_arg) that no compiler warns about. Prints one TAP line; exit 1 on a
problem."""
import glob
import re
import sys

# Names declared int64_t anywhere in src/ (locals, struct fields, function
# results): a value ending in one of them is taken as int64_t.
INT64_NAMES = set()
for path in glob.glob('src/**/*.[ch]', recursive=True):
    text = open(path, encoding='utf-8').read()
    for decl in re.findall(r'\bint64_t\s+([^;{}]+);', text):
        while re.search(r'\([^()]*\)', decl):      # drop initialisers' calls
            decl = re.sub(r'\([^()]*\)', '', decl)
        for part in decl.split(','):
            m = re.match(r'\s*\**\s*(\w+)', part)
            if m:
                INT64_NAMES.add(m.group(1))
    INT64_NAMES.update(re.findall(r'\bint64_t\s+\**(\w+)\s*\(', text))


def is_int64(v):
    """A cast, a declared name (or field), or a call of an int64_t function."""
    if v.startswith('(int64_t)') or 'time_now_ms' in v:
        return True
    call = re.match(r'(\w+)\s*\(', v)
    if call:
        return call.group(1) in INT64_NAMES
    last = re.split(r'->|\.', v)[-1].strip()
    return re.fullmatch(r'\w+', last) is not None and last in INT64_NAMES


def split_args(s):
    args, depth, cur, i, instr = [], 0, '', 0, False
    while i < len(s):
        c = s[i]
        if instr:
            cur += c
            if c == '\\':
                cur += s[i + 1]
                i += 1
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
            cur += c
        elif c in '([{':
            depth += 1
            cur += c
        elif c in ')]}':
            depth -= 1
            cur += c
        elif c == ',' and depth == 0:
            args.append(cur.strip())
            cur = ''
        else:
            cur += c
        i += 1
    if cur.strip():
        args.append(cur.strip())
    return args


def calls(src):
    for m in re.finditer(r'\b(store_run|store_query)\s*\(', src):
        i = j = m.end()
        depth, instr = 1, False
        while depth > 0:
            c = src[j]
            if instr:
                if c == '\\':
                    j += 1
                elif c == '"':
                    instr = False
            elif c == '"':
                instr = True
            elif c == '(':
                depth += 1
            elif c == ')':
                depth -= 1
            j += 1
        yield src[:m.start()].count('\n') + 1, split_args(src[i:j - 1])


def string_macros(paths):
    """#define NAME "..." (string literals and other such macros, over
    continued lines) -> the literal text, so that SQL built from macros
    (a visibility condition, a column list) is checked too."""
    raw = {}
    for path in paths:
        text = open(path, encoding='utf-8').read()
        for m in re.finditer(r'^#define\s+(\w+)\s+((?:[^\n]*\\\n)*[^\n]*)', text, re.M):
            body = m.group(2).replace('\\\n', ' ').strip()
            if body.startswith('"') or re.match(r'\w+\s+"', body):
                raw[m.group(1)] = body
    def expand(body, depth=0):
        if depth > 8:
            return body
        return re.sub(r'\b([A-Z_][A-Z0-9_]*)\b(?=(?:[^"]*"[^"]*")*[^"]*$)',
                      lambda m: expand(raw[m.group(1)], depth + 1) if m.group(1) in raw else m.group(0), body)
    return {k: expand(v) for k, v in raw.items()}


problems = []
for f in sorted(glob.glob('src/**/*.c', recursive=True)):
    macros = string_macros([f] + glob.glob(f.rsplit('/', 1)[0] + '/*.h'))
    for line, args in calls(open(f, encoding='utf-8').read()):
        if len(args) > 2:
            args[2] = re.sub(r'\b([A-Z_][A-Z0-9_]*)\b(?=(?:[^"]*"[^"]*")*[^"]*$)',
                             lambda m: macros.get(m.group(1), m.group(0)), args[2])
        if len(args) < 4 or not args[3].startswith('"'):
            continue  # a format built at run time: checked by its tests
        fmt = ''.join(re.findall(r'"([^"]*)"', args[3]))
        vals = args[4:]
        width = {'b': 2, 'n': 0}   # a blob takes pointer and size; NULL takes nothing
        need = sum(width.get(ch, 1) for ch in fmt)
        if need != len(vals):
            problems.append(f'{f}:{line}: format {fmt!r} needs {need} values, got {len(vals)}')
            continue
        sql = args[2]
        params = [int(x) for x in re.findall(r'\$(\d+)', sql)]
        if sql.startswith('"') and (max(params) if params else 0) != len(fmt):
            problems.append(f'{f}:{line}: SQL uses ${max(params or [0])}, format has {len(fmt)}')
        k = 0
        for ch in fmt:
            if ch == 'n':
                continue
            v = vals[k]
            k += width.get(ch, 1)
            if ch == 'i' and not is_int64(v) and not re.search(r'\w+_ms\b', v):
                problems.append(f'{f}:{line}: int64_t expected for {v}')
            if ch == 't' and (v.startswith('(int64_t)') or v in ('now',)):
                problems.append(f'{f}:{line}: a string expected for {v}')

for p in problems:
    print('#', p)
print(('not ok' if problems else 'ok') + ' 1 - store bind formats match their arguments')
sys.exit(1 if problems else 0)
