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
