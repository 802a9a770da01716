using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

public sealed class HoconSyntaxTests
{
    [Fact]
    public void Hash_and_double_slash_comments_are_ignored()
    {
        var config = Hocon.Load("""
            # a comment
            a = 1 # after a value
            // another comment
            b = 2 // after a value
            """);
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(2, config.Root.Count);
    }

    [Fact]
    public void Unquoted_keys_and_strings_are_read_as_text()
    {
        var config = Hocon.Load("host = node-a.example.org\npath = /var/lib/swarm\nkind = sqlite");
        Assert.Equal("node-a.example.org", config.GetString("host"));
        Assert.Equal("/var/lib/swarm", config.GetString("path"));
        Assert.Equal("sqlite", config.GetString("kind"));
    }

    [Fact]
    public void Quoted_strings_decode_escapes()
    {
        var config = Hocon.Load("""s = "tab\there \"q\" back\\slash \u00e9 line\nend" """);
        Assert.Equal("tab\there \"q\" back\\slash é line\nend", config.GetString("s"));
    }

    [Fact]
    public void Triple_quoted_strings_are_raw_and_span_lines()
    {
        var config = Hocon.Load("s = \"\"\"first \\n\nsecond \"quoted\"\"\"\"\nafter = 1");
        Assert.Equal("first \\n\nsecond \"quoted\"", config.GetString("s"));
        Assert.Equal(3, config.Root["after"]!.Origin.Line);
    }

    [Fact]
    public void Equals_colon_and_brace_all_separate_keys_from_values()
    {
        var config = Hocon.Load("a = 1\nb : 2\nc { d = 3 }\ne = { f = 4 }");
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(3, config.GetInt("c.d"));
        Assert.Equal(4, config.GetInt("e.f"));
    }

    [Fact]
    public void A_brace_may_open_on_the_line_after_its_key()
    {
        var config = Hocon.Load("a\n{ b = 1 }\nc\n\n{\n  d = 2\n}");
        Assert.Equal(1, config.GetInt("a.b"));
        Assert.Equal(2, config.GetInt("c.d"));
    }

    [Fact]
    public void A_separator_and_a_value_may_each_stand_on_a_later_line()
    {
        var config = Hocon.Load("a =\n  1\nb :\n  \"x\"\nc\n  = 3\nd = [1]\nd +=\n  2\ne =\n\n  { f = 4 }\ng =\n  ${a}");
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal("x", config.GetString("b"));
        Assert.Equal(3, config.GetInt("c"));
        Assert.Equal(["1", "2"], config.GetStringList("d"));
        Assert.Equal(4, config.GetInt("e.f"));
        Assert.Equal(1, config.GetInt("g"));
        Assert.Equal(new HoconOrigin("test.conf", 2), config.GetValue("a").Origin);
    }

    [Fact]
    public void Comments_may_stand_between_a_key_its_separator_and_its_value()
    {
        var config = Hocon.Load("""
            a = # why a is one
              1
            b : // why b is x
              # and more
              "x"
            c # why c is an object
            { d = 2 }
            """);
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal("x", config.GetString("b"));
        Assert.Equal(2, config.GetInt("c.d"));
        Assert.Equal(3, config.Root.Count);
    }

    [Fact]
    public void Fields_are_separated_by_commas_or_line_breaks()
    {
        var config = Hocon.Load("{ a = 1, b = 2\n c = 3, }");
        Assert.Equal([1, 2, 3], new[] { "a", "b", "c" }.Select(config.GetInt));
    }

    [Fact]
    public void Dotted_keys_create_nested_objects()
    {
        var config = Hocon.Load("a.b.c = 1\na.b.d = 2\n\"x.y\" = 3");
        Assert.Equal(1, config.GetInt("a.b.c"));
        Assert.Equal(2, config.GetInt("a.b.d"));
        Assert.IsType<HoconObject>(config.GetValue("a.b"));
        Assert.Equal(3, config.Root["x.y"] is HoconNumber n ? n.IntegralValue : -1);
    }

    [Fact]
    public void Lone_unquoted_values_are_typed_as_numbers_booleans_and_null()
    {
        var config = Hocon.Load("i = 42\nf = -1.5e3\nt = true\nn = null\nq = \"42\"");
        Assert.Equal(HoconValueKind.Number, config.GetValue("i").Kind);
        Assert.Equal(-1500.0, config.GetDouble("f"));
        Assert.True(config.GetBoolean("t"));
        Assert.Equal(HoconValueKind.Null, config.GetValue("n").Kind);
        Assert.Equal(HoconValueKind.String, config.GetValue("q").Kind);
    }

    [Fact]
    public void Arrays_hold_values_separated_by_commas_or_line_breaks()
    {
        var config = Hocon.Load("a = [1, two, \"three\"]\nb = [\n  x\n  y,\n]\nc = [[1], {k = v}]");
        Assert.Equal(["1", "two", "three"], config.GetStringList("a"));
        Assert.Equal(["x", "y"], config.GetStringList("b"));
        var c = config.GetList("c");
        Assert.IsType<HoconArray>(c[0]);
        Assert.Equal("v", ((HoconObject)c[1])["k"]!.ScalarText);
    }

    [Fact]
    public void Values_side_by_side_concatenate_keeping_inner_whitespace()
    {
        var config = Hocon.Load("a = foo bar  baz\nb = \"x\"y 1\nc = [1] [2, 3]\nd = {p = 1} {q = 2}");
        Assert.Equal("foo bar  baz", config.GetString("a"));
        Assert.Equal("xy 1", config.GetString("b"));
        Assert.Equal(["1", "2", "3"], config.GetStringList("c"));
        Assert.Equal(1, config.GetInt("d.p"));
        Assert.Equal(2, config.GetInt("d.q"));
    }

    [Fact]
    public void Every_value_knows_its_file_and_line()
    {
        var config = Hocon.Load("a = 1\n\nb {\n  c = 2\n}");
        Assert.Equal(new HoconOrigin("test.conf", 1), config.GetValue("a").Origin);
        Assert.Equal(new HoconOrigin("test.conf", 4), config.GetValue("b.c").Origin);
    }

    [Fact]
    public void A_json_document_is_read_as_hocon()
    {
        var config = Hocon.Load("""{ "a": { "b c": [1, 2.5, "x", true, null] }, "d": "e" }""");
        var list = config.GetList("a.\"b c\"");
        Assert.Equal(5, list.Count);
        Assert.Equal(2.5, ((HoconNumber)list[1]).Value);
        Assert.Equal(1, config.GetConfig("a").Root.Count);
        Assert.Equal("e", config.GetString("d"));
    }
}
