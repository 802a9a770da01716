using Swarm.Node.Configuration.Hocon;

namespace Swarm.Tests.Configuration;

public sealed class HoconErrorTests
{
    [Fact]
    public void A_wrong_type_names_file_line_and_key()
    {
        var config = Hocon.Load("network {\n  port = abc\n}");
        var error = Assert.Throws<HoconException>(() => config.GetInt("network.port"));
        Assert.Equal("test.conf:2: key 'network.port': expected a whole number, got \"abc\"", error.Message);
    }

    [Fact]
    public void A_missing_closing_brace_points_at_the_opening_one()
    {
        var error = Hocon.Fails("a = 1\nb {\n  c = 2\n");
        Assert.Equal(2, error.Line);
        Assert.Contains("missing '}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_fields_on_one_line_without_a_comma_are_an_error_naming_the_key()
    {
        var error = Hocon.Fails("x = 0\na = 1 b = 2");
        Assert.Equal(2, error.Line);
        Assert.Equal("a", error.Key);
    }

    [Fact]
    public void A_key_without_a_value_is_an_error()
    {
        var error = Hocon.Fails("a {\n  b =\n}");
        Assert.Equal("test.conf:2: key 'a.b': expected a value, got end of line", error.Message);
    }

    [Fact]
    public void A_key_alone_on_its_line_is_an_error_at_that_line_not_at_the_next_field()
    {
        var error = Hocon.Fails("a\nb = 1");
        Assert.Equal("test.conf:1: key 'a': expected '=', ':' or '{' after the key, got end of line", error.Message);
    }

    [Fact]
    public void A_separator_followed_only_by_comments_and_line_breaks_is_an_error_at_its_line()
    {
        var error = Hocon.Fails("x {\n  a = # no value here\n  // nor here\n}");
        Assert.Equal("test.conf:2: key 'x.a': expected a value, got end of line", error.Message);
    }

    [Fact]
    public void Two_fields_on_the_line_after_a_separator_are_an_error_naming_the_first_key()
    {
        var error = Hocon.Fails("a =\n  1 b = 2");
        Assert.Equal("test.conf:2: key 'a': unexpected '=' in a value (quote the value, or put a ',' or line break between two fields)", error.Message);
    }

    [Fact]
    public void A_value_on_the_line_after_its_separator_still_ends_at_that_line()
    {
        var error = Hocon.Fails("a =\n  1\n  2");
        Assert.Equal("test.conf:3: key '2': expected '=', ':' or '{' after the key, got end of file", error.Message);
    }

    [Fact]
    public void A_wrong_type_on_the_line_after_its_separator_names_the_line_of_the_value()
    {
        var config = Hocon.Load("port =\n  abc");
        var error = Assert.Throws<HoconException>(() => config.GetInt("port"));
        Assert.Equal("test.conf:2: key 'port': expected a whole number, got \"abc\"", error.Message);
    }

    [Fact]
    public void An_unsupported_include_wrapper_is_an_error_even_inside_required()
    {
        var error = Hocon.Fails("a = 1\ninclude required(url(\"https://example.org/x.conf\"))");
        Assert.Equal("test.conf:2: include url(...) is not supported; use include \"file\", file(\"...\") or required(\"...\")", error.Message);
    }

    [Fact]
    public void An_unterminated_string_is_an_error_at_its_line()
    {
        var error = Hocon.Fails("a = 1\nb = \"open\nc = 2");
        Assert.Equal(2, error.Line);
        Assert.Contains("unterminated string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forbidden_character_in_unquoted_text_is_an_error()
    {
        var error = Hocon.Fails("a = hello@world");
        Assert.Contains("unexpected character '@'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_escape_is_an_error()
    {
        Assert.Contains("unknown escape", Hocon.Fails("a = \"\\q\"").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_path_element_is_an_error()
    {
        Assert.Contains("empty element", Hocon.Fails("a..b = 1").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_array_is_an_error()
    {
        Assert.Contains("not an array", Hocon.Fails("[1, 2]").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_an_error_not_a_crash()
    {
        var text = "a = " + new string('[', 10_000) + new string(']', 10_000);
        Assert.Contains("nested more than", Hocon.Fails(text).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_accepted()
    {
        var config = Hocon.Load("\uFEFFa = 1\r\nb {\r\n  c = two\r\n}\r\n");
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal("two", config.GetString("b.c"));
        Assert.Equal(3, config.GetValue("b.c").Origin.Line);
    }

    [Fact]
    public void A_key_named_include_is_still_a_key()
    {
        Assert.Equal(5, Hocon.Load("include = 5").GetInt("include"));
    }
}
