"""Terraform expressions read from the source and evaluated as Terraform evaluates them."""

from __future__ import annotations

import pytest

from soc2iac.model import Ref, Unknown
from soc2iac.parsers.hcl_eval import Scope
from soc2iac.parsers.hcl_syntax import HclSyntaxError, parse_expression, parse_file
from soc2iac.parsers.hcl_types import convert

VARIABLES = {
    "n": 5, "create": True, "off": False, "names": ["b", "a", "b"], "empty": {},
    "m": {"a": {"on": True, "n": 1}, "b": {"on": False, "n": 2}},
    "s": " Orders, Events ", "unset": Unknown("variable unset has no default and no value"),
}


class _Resolver:
    def module_value(self, name: str) -> object:
        return Unknown(f"module.{name} is not scanned")

    def resource_value(self, mode: str, rtype: str, name: str) -> object:
        base = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if name == "counted":
            return [Ref(reason="after apply", address=f"{base}[{i}]") for i in range(2)]
        return Ref(reason="after apply", address=base)


def evaluate(text: str, **bindings: object) -> object:
    scope = Scope(prefix="", variables=VARIABLES, locals_nodes={
        "twice": parse_expression("local.n * 2"), "n": parse_expression("var.n"),
        "loop": parse_expression("local.loop"),
    }, resolver=_Resolver())
    return scope.bind(**bindings).evaluate(parse_expression(text))


@pytest.mark.parametrize("text, expected", [
    # operators, precedence, conditionals
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3.5), ("8 / 2", 4), ("7 % 3", 1), ("-var.n", -5),
    ("var.n > 3 ? \"big\" : \"small\"", "big"), ("var.n > 3 && !var.off", True), ("var.off || var.create", True),
    ('1 == "1"', False), ("true == 1", False), ('"a" != "b"', True), ("[1, 2] == [1, 2]", True),
    ("var.create ? var.off ? 1 : 2 : 3", 2),
    # locals in any order, variables, for expressions
    ("local.twice", 10), ("[for x in var.names : upper(x) if x != \"a\"]", ["B", "B"]),
    ("{for k, v in var.m : k => v.n if v.on}", {"a": 1}),
    ("{for x in var.names : x => x...}", {"a": ["a"], "b": ["b", "b"]}),
    ("toset([for l in var.names : l if var.off])", []),
    ("[for k, v in {b = 1, a = 2} : k]", ["a", "b"]),  # maps iterate in key order
    # templates, escapes, directives, heredocs
    ('"n=${var.n}"', "n=5"), ('"${var.n}"', 5), ('"a\\"b\\\\c\\n"', 'a"b\\c\n'), ('"$${literal}"', "${literal}"),
    ('"%{if var.create}yes%{else}no%{endif}"', "yes"), ('"%{for n in var.names}${n},%{endfor}"', "b,a,b,"),
    ('"x ${~ var.n ~} y"', "x5y"),
    ("<<-EOT\n    a ${var.n}\n      b\n    EOT", "a 5\n  b\n"),
    # traversals
    ("var.m.a.n", 1), ('var.m["b"].on', False), ("var.names[1]", "a"), ("var.names.0", "b"),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]), ("aws_x.counted[*].id", [Ref("after apply", address="aws_x.counted[0]", attribute="id"),
                                                            Ref("after apply", address="aws_x.counted[1]", attribute="id")]),
    # instance bindings
    ("count.index == 0", True), ("each.value.size", 8), ('"disk-${each.key}"', "disk-a"),
])
def test_known_values(text: str, expected: object) -> None:
    assert evaluate(text, count={"index": 0}, each={"key": "a", "value": {"size": 8}}) == expected


@pytest.mark.parametrize("text, expected", [
    ("length(var.names)", 3), ("length(\"abc\")", 3), ("keys(var.m)", ["a", "b"]), ("values({b = 2, a = 1})", [1, 2]),
    ('lookup(var.m, "c", "none")', "none"), ("merge({a = 1}, {b = 2}, null)", {"a": 1, "b": 2}),
    ("concat([1], [2, 3])", [1, 2, 3]), ("flatten([[1, [2]], 3])", [1, 2, 3]), ("distinct(var.names)", ["b", "a"]),
    ("toset(var.names)", ["a", "b"]), ("tolist(toset([3, 1]))", [1, 3]), ('tomap({a = "x"})', {"a": "x"}),
    ('coalesce(null, "", "x")', "x"), ("coalescelist([], [1])", [1]), ('compact(["a", "", null])', ["a"]),
    ('contains(["x", "y"], "y")', True), ("element([1, 2, 3], 4)", 2), ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}), ('format("%s-%03d/%v", "x", 7, true)', "x-007/true"),
    ('join("-", ["a", "b"], ["c"])', "a-b-c"), ('split(",", "a,b")', ["a", "b"]),
    ('replace("a.b.c", ".", "-")', "a-b-c"), ('replace("a1b22", "/[0-9]+/", "#")', "a#b#"),
    ('lower("AB")', "ab"), ('upper("ab")', "AB"), ("trimspace(var.s)", "Orders, Events"),
    ("jsonencode({a = [1, true]})", '{"a":[1,true]}'), ('jsondecode("{\\"a\\": 1.0}")', {"a": 1}),
    ("range(3)", [0, 1, 2]), ("range(1, 7, 2)", [1, 3, 5]), ('one(["x"])', "x"), ("one([])", None),
    ("can(var.m.c)", False), ("can(var.m.a)", True), ("try(var.m.c, var.m.a.n)", 1),
    ("try(flatten([var.m.z]), [])", []), ("alltrue([true, 1 == 1])", True), ("anytrue([false, var.off])", False),
    ('startswith("audit", "au")', True), ('endswith("audit", "it")', True), ("min(3, 1, 2)", 1), ("max(var.n, 2)", 5),
    ('substr("hello", 1, 3)', "ell"), ('index(["a", "b"], "b")', 1), ("reverse([1, 2])", [2, 1]),
    ('sort(["b", "a"])', ["a", "b"]), ('setsubtract(["a", "b"], ["a"])', ["b"]), ("sum([1, 2.5])", 3.5),
    ('regex("^([a-z]+)-([0-9]+)$", "app-12")', ["app", "12"]), ('tonumber("12")', 12), ('tostring(12)', "12"),
    ('tobool("true")', True), ('format("%d items", length(var.names))', "3 items"),
    ("length([aws_x.y.id, 1])", 2), ("keys({a = aws_x.y.id})", ["a"]),  # known structure, unknown elements
    ('contains([aws_x.y.id, "b"], "b")', True), ('alltrue([aws_x.y.id == "x", false])', False),
    ("false && var.unset", False), ("var.unset || true", True),
    ('setproduct(["a", "b"], [1])', [["a", 1], ["b", 1]]), ('transpose({a = ["1", "2"], b = ["2"]})', {"1": ["a"], "2": ["a", "b"]}),
    ('matchkeys(["i1", "i2"], ["us", "eu"], ["eu"])', ["i2"]), ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrsubnets("10.1.0.0/16", 4, 4, 8)', ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24"]),
    ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"), ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"),
    ('sensitive("x")', "x"), ('strcontains("sandbox", "sand")', True), ('basename("a/b.tf")', "b.tf"),
    ('dirname("a/b.tf")', "a"), ('urlencode("a b/c")', "a%20b%2Fc"), ('jsonencode("<&>")', '"\\u003c\\u0026\\u003e"'),
])
def test_functions(text: str, expected: object) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("var.unset ? 1 : 0", "variable unset has no default"),
    ("length(var.unset)", "length() of variable unset"),
    ('"${var.unset}-x"', "a string template with variable unset"),
    ("try(var.unset.id, 1)", "try() of"),
    ("timestamp()", "function timestamp() is not evaluated statically"),
    ("local.loop", "refers to itself"),
    ("var.nope", "undeclared variable var.nope"),
    ("var.names[7]", "invalid expression: index 7 is out of range"),
    ('contains([aws_x.y.id], "b")', "after apply"),
    ("count.index", "outside a resource or module with count"),
])
def test_unknown_values_say_why(text: str, reason: str) -> None:
    value = Scope(prefix="", variables=VARIABLES, locals_nodes={"loop": parse_expression("local.loop")},
                  resolver=_Resolver()).evaluate(parse_expression(text))
    assert isinstance(value, Unknown) and reason in value.reason, value


def test_references_and_the_resources_they_mention() -> None:
    ref = evaluate("aws_s3_bucket.logs.arn")
    assert isinstance(ref, Ref) and (ref.address, ref.attribute) == ("aws_s3_bucket.logs", "arn")
    assert evaluate("aws_x.counted[1].id") == Ref("after apply", address="aws_x.counted[1]", attribute="id")
    # a list index inside a resource is a nested block's, not part of the attribute path
    assert evaluate("aws_x.y.spec[0].selector").attribute == "spec.selector"
    maybe = evaluate("var.unset ? aws_x.a.id : aws_x.b.id")
    assert isinstance(maybe, Unknown) and not isinstance(maybe, Ref)
    assert set(maybe.refs) == {"aws_x.a", "aws_x.b"}
    # try() of an attribute of an instance that exists is that attribute
    assert evaluate('try(aws_x.counted[0].id, "")') == Ref("after apply", address="aws_x.counted[0]", attribute="id")
    templ = evaluate('"${aws_s3_bucket.logs.arn}/flow/"')
    assert isinstance(templ, Ref) and templ.address == "aws_s3_bucket.logs" and "/flow/" not in templ.reason


def test_attributes_of_every_block_by_start_line() -> None:
    text = ('# c\nvariable "x" { default = 1 }\nresource "a_b" "c" {\n  count = 2\n  nested {\n'
            '    v = "x-${1}"\n    deeper { w = [\n      1, 2,\n    ] }\n  }\n  tags = {\n    A = 1\n    "b-c" = 2\n'
            '    (var.k) = 3\n  }\n}\nlocals { a = 1 }\n')
    found = parse_file(text)
    assert found[2] == {"default": ("lit", 1)}
    assert set(found[3]) == {"count", "tags"} and found[5] == {"v": ("tpl", (("lit", "x-"), ("lit", 1)))}
    assert found[7] == {"w": ("tuple", (("lit", 1), ("lit", 2)))} and found[17] == {"a": ("lit", 1)}
    keys = [k for k, _ in found[3]["tags"][1]]
    assert keys == [("lit", "A"), ("lit", "b-c"), ("attr", ("var", "var"), "k")]
    assert parse_file('a = "x"\nb = [1]\n')[0] == {"a": ("lit", "x"), "b": ("tuple", (("lit", 1),))}


@pytest.mark.parametrize("text", ['a = "unclosed\n', "a = (1 + \n", 'b "x" {\n  c = 1\n', "a = 1 2\n", 'a = "${x"\n'])
def test_what_is_not_hcl_is_a_syntax_error(text: str) -> None:
    with pytest.raises(HclSyntaxError):
        parse_file(text)


def test_type_constraints_fill_optional_attributes() -> None:
    type_node = parse_expression("map(object({ retention = optional(number, 30), kms = optional(string), on = bool }))")
    value = convert({"a": {"on": "true"}, "b": {"retention": "7", "on": False, "extra": 1}}, type_node,
                    lambda n: Scope(prefix="", variables={}, locals_nodes={}).evaluate(n))
    assert value == {"a": {"retention": 30, "kms": None, "on": True}, "b": {"retention": 7, "kms": None, "on": False}}
    assert convert(["b", "a", "b"], parse_expression("set(string)"), lambda n: None) == ["a", "b"]
    assert convert([1, 2], parse_expression("list(string)"), lambda n: None) == ["1", "2"]
