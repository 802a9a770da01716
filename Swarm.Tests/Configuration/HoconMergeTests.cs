namespace Swarm.Tests.Configuration;

public sealed class HoconMergeTests
{
    [Fact]
    public void Objects_with_the_same_key_merge()
    {
        var config = Hocon.Load("a { x = 1 }\na { y = 2 }\na.z = 3");
        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(2, config.GetInt("a.y"));
        Assert.Equal(3, config.GetInt("a.z"));
    }

    [Fact]
    public void Nested_objects_merge_deeply()
    {
        var config = Hocon.Load("a { b { x = 1, y = 1 } }\na { b { y = 2 } }");
        Assert.Equal(1, config.GetInt("a.b.x"));
        Assert.Equal(2, config.GetInt("a.b.y"));
    }

    [Fact]
    public void A_later_value_wins()
    {
        var config = Hocon.Load("a = 1\na = 2\nb { x = 1 }\nb = 5\nc = 5\nc { x = 1 }");
        Assert.Equal(2, config.GetInt("a"));
        Assert.Equal(5, config.GetInt("b"));
        Assert.Equal(1, config.GetInt("c.x"));
    }

    [Fact]
    public void Plus_equals_appends_to_an_array()
    {
        var config = Hocon.Load("a = [1]\na += 2\na += 3\nb += x");
        Assert.Equal(["1", "2", "3"], config.GetStringList("a"));
        Assert.Equal(["x"], config.GetStringList("b"));
    }

    [Fact]
    public void A_self_reference_sees_the_earlier_value()
    {
        var config = Hocon.Load("path = /bin\npath = ${path}\":/usr/bin\"\nobj { a = 1 }\nobj = ${obj} { b = 2 }");
        Assert.Equal("/bin:/usr/bin", config.GetString("path"));
        Assert.Equal(1, config.GetInt("obj.a"));
        Assert.Equal(2, config.GetInt("obj.b"));
    }

    [Fact]
    public void An_undefined_optional_substitution_keeps_the_earlier_value()
    {
        var config = Hocon.Load("port = 7400\nport = ${?SWARM_PORT}");
        Assert.Equal(7400, config.GetInt("port"));
    }

    [Fact]
    public void A_defined_optional_substitution_replaces_the_earlier_value()
    {
        var config = Hocon.Load("port = 7400\nport = ${?SWARM_PORT}", new Dictionary<string, string> { ["SWARM_PORT"] = "7500" });
        Assert.Equal(7500, config.GetInt("port"));
    }

    [Fact]
    public void A_self_reference_inside_an_object_sees_the_earlier_value_of_that_key()
    {
        var config = Hocon.Load("a { b = 1, list = [x] }\na { b = ${a.b}2 }\na.list += y");
        Assert.Equal("12", config.GetString("a.b"));
        Assert.Equal(["x", "y"], config.GetStringList("a.list"));
    }

    [Fact]
    public void An_object_laid_over_a_substitution_merges_with_its_value()
    {
        var config = Hocon.Load("defaults { x = 1, y = 1 }\nsite = ${defaults}\nsite { y = 2 }");
        Assert.Equal(1, config.GetInt("site.x"));
        Assert.Equal(2, config.GetInt("site.y"));
    }
}
