namespace Swarm.Tests.Configuration;

public sealed class HoconIncludeTests
{
    [Fact]
    public void Include_reads_a_file_relative_to_the_including_file_and_later_keys_override_it()
    {
        using var dir = new TempDirectory();
        dir.Write("conf/base.conf", "a = 1\nb = 1\nnested { x = 1 }");
        var main = dir.Write("conf/main.conf", "include \"base.conf\"\nb = 2\nnested { y = 2 }");
        var config = Hocon.LoadFile(main);
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(1, config.GetInt("nested.x"));
        Assert.Equal(2, config.GetInt("nested.y"));
        Assert.EndsWith("base.conf", config.GetValue("a").Origin.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_inside_an_object_places_the_keys_under_it()
    {
        using var dir = new TempDirectory();
        dir.Write("part.conf", "x = 1");
        var main = dir.Write("main.conf", "outer { include file(\"part.conf\") }");
        Assert.Equal(1, Hocon.LoadFile(main).GetInt("outer.x"));
    }

    [Fact]
    public void A_missing_include_is_ignored_but_a_missing_required_include_is_an_error()
    {
        using var dir = new TempDirectory();
        var optional = dir.Write("optional.conf", "include \"absent.conf\"\na = 1");
        Assert.Equal(1, Hocon.LoadFile(optional).GetInt("a"));
        var required = dir.Write("required.conf", "a = 1\ninclude required(\"absent.conf\")");
        var error = Hocon.FailsFile(required);
        Assert.Equal(2, error.Line);
        Assert.Contains("absent.conf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_include_cycle_is_an_error_naming_the_chain()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf", "x = 1\ninclude \"b.conf\"");
        dir.Write("b.conf", "include \"a.conf\"");
        var error = Hocon.FailsFile(Path.Combine(dir.Path, "a.conf"));
        Assert.Contains("include cycle: a.conf -> b.conf -> a.conf", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("b.conf", error.File, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void An_include_without_an_extension_reads_the_json_file_and_then_the_conf_file_over_it()
    {
        using var dir = new TempDirectory();
        dir.Write("base.json", """{ "a": 1, "b": 1, "o": { "x": 1 } }""");
        dir.Write("base.conf", "b = 2\no.y = 2");
        var main = dir.Write("main.conf", "include \"base\"");
        var config = Hocon.LoadFile(main);
        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(1, config.GetInt("o.x"));
        Assert.Equal(2, config.GetInt("o.y"));
        Assert.EndsWith("base.json", config.GetValue("a").Origin.Source, StringComparison.Ordinal);
        Assert.EndsWith("base.conf", config.GetValue("b").Origin.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void An_include_without_an_extension_reads_whichever_of_the_two_exists()
    {
        using var dir = new TempDirectory();
        dir.Write("only-json.json", """{ "j": 1 }""");
        dir.Write("sub/only-conf.conf", "c = 2");
        var main = dir.Write("main.conf", "include required(file(\"only-json\"))\ninclude \"sub/only-conf\"");
        var config = Hocon.LoadFile(main);
        Assert.Equal(1, config.GetInt("j"));
        Assert.Equal(2, config.GetInt("c"));
    }

    [Fact]
    public void A_missing_include_without_an_extension_is_ignored_unless_required_and_then_names_the_files_looked_for()
    {
        using var dir = new TempDirectory();
        var optional = dir.Write("optional.conf", "include \"absent\"\na = 1");
        Assert.Equal(1, Hocon.LoadFile(optional).GetInt("a"));
        var required = dir.Write("required.conf", "a = 1\ninclude required(\"absent\")");
        var error = Hocon.FailsFile(required);
        Assert.EndsWith("required.conf", error.File, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Contains("required include \"absent\" not found", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir.Path, "absent.conf"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir.Path, "absent.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_properties_file_is_an_error_rather_than_silently_skipped()
    {
        using var dir = new TempDirectory();
        dir.Write("legacy.properties", "a=1");
        dir.Write("legacy.conf", "b = 2");
        var byBasename = dir.Write("basename.conf", "x = 0\ninclude \"legacy\"");
        var error = Hocon.FailsFile(byBasename);
        Assert.Equal(2, error.Line);
        Assert.Contains("legacy.properties is a Java .properties file, which this HOCON reader does not support", error.Message, StringComparison.Ordinal);
        var byName = dir.Write("byname.conf", "include \"legacy.properties\"");
        Assert.Contains("not support", Hocon.FailsFile(byName).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_an_extension_is_not_taken_for_the_basename_it_would_be()
    {
        using var dir = new TempDirectory();
        dir.Write("plain", "a = 1");
        var main = dir.Write("main.conf", "include \"plain\"");
        var error = Hocon.FailsFile(main);
        Assert.Equal(1, error.Line);
        Assert.Contains("rename the file to plain.conf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_in_an_included_json_file_names_that_file_and_line()
    {
        using var dir = new TempDirectory();
        dir.Write("broken.json", "{\n  \"a\": 1,\n  \"b\":\n}");
        var main = dir.Write("main.conf", "include \"broken\"");
        var error = Hocon.FailsFile(main);
        Assert.EndsWith("broken.json", error.File, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
        Assert.Equal("b", error.Key);
    }

    [Fact]
    public void The_file_name_of_an_include_may_follow_on_a_later_line()
    {
        using var dir = new TempDirectory();
        dir.Write("part.conf", "x = 1");
        var main = dir.Write("main.conf", "include # the shared part\n  \"part.conf\"\ny = 2");
        var config = Hocon.LoadFile(main);
        Assert.Equal(1, config.GetInt("x"));
        Assert.Equal(2, config.GetInt("y"));
    }
}
