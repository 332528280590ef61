"""Rewrite valid HCL that python-hcl2 7.x rejects into equivalent text it accepts.

Terraform accepts, and python-hcl2 7.x does not:

- CRLF line endings (python-hcl2 issue #315);
- line breaks inside parentheses before ``?``, ``:``, ``||`` ... (issues #77, #142);
- line breaks inside a string interpolation ``"${\\n var.a\\n}"``;
- ``/* inline */`` comments inside expressions.

The rewrite keeps every line where it was: a line break removed inside
parentheses or an interpolation is put back at the end of that logical line,
so block and attribute line numbers do not move.
"""

from __future__ import annotations

import re

_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\n")
# characters that can change the scanner's state; runs of other characters are copied at once
_STRING_SPECIAL = re.compile(r'[\\$%"\n]')
_CODE_SPECIAL = re.compile(r'[#/<"(\[{)\]}\n]')


def normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    # frames: "(" "[" "{" in code; '"' a string; "${" an interpolation inside a string
    stack: list[str] = []
    pending = 0  # line breaks owed to the end of the current logical line
    i, n = 0, len(text)
    while i < n:
        top = stack[-1] if stack else ""
        special = (_STRING_SPECIAL if top == '"' else _CODE_SPECIAL).search(text, i)
        j = special.start() if special else n
        if j > i:
            out.append(text[i:j])
            i = j
            continue
        ch = text[i]
        if top == '"':
            if ch == "\\":
                out.append(text[i : i + 2])
                i += 2
                continue
            if text.startswith("${", i) or text.startswith("%{", i):
                if i + 2 < n and text[i - 1 : i] != "$":
                    stack.append("${")
                    out.append(text[i : i + 2])
                    i += 2
                    continue
            if ch == "\n":  # an unterminated string: leave it to the parser to report
                stack.pop()
                top = stack[-1] if stack else ""
            else:
                if ch == '"':
                    stack.pop()
                out.append(ch)
                i += 1
                continue
        # code (top level, brackets, or an interpolation)
        if ch == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(text[i:end])
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join("\n" if c == "\n" else " " for c in text[i:end]))
            i = end
            continue
        if text.startswith("<<", i):
            m = _HEREDOC.match(text, i)
            if m:
                marker = m.group(1)
                close = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
                found = close.search(text, m.end())
                end = found.end() if found else n
                if text[end : end + 1] == "\n":  # the terminator stays alone on its line
                    end += 1
                out.append(text[i:end])
                i = end
                continue
        if ch == '"':
            stack.append('"')
        elif ch in "([{":
            stack.append(ch)
        elif ch in ")]":
            if top == {")": "(", "]": "["}[ch]:
                stack.pop()
        elif ch == "}":
            if top in ("{", "${"):
                stack.pop()
        elif ch == "\n":
            if top in ("(", "${"):
                out.append(" ")
                pending += 1
                i += 1
                continue
            out.append("\n" * (1 + pending))
            pending = 0
            i += 1
            continue
        out.append(ch)
        i += 1
    out.append("\n" * pending)
    return "".join(out)
