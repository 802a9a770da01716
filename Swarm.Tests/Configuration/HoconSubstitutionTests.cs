namespace Swarm.Tests.Configuration;

public sealed class HoconSubstitutionTests
{
    [Fact]
    public void A_substitution_takes_the_value_of_another_key_even_one_defined_later()
    {
        var config = Hocon.Load("db = ${dir}\"/ledger.db\"\ndir = /data\ncopy = ${nested}\nnested { a = 1 }");
        Assert.Equal("/data/ledger.db", config.GetString("db"));
        Assert.Equal(1, config.GetInt("copy.a"));
    }

    [Fact]
    public void A_substitution_sees_the_final_merged_value()
    {
        var config = Hocon.Load("a = 1\nb = ${a}\na = 2");
        Assert.Equal(2, config.GetInt("b"));
    }

    [Fact]
    public void An_optional_environment_substitution_uses_the_variable_when_present()
    {
        var config = Hocon.Load("id = ${?SWARM_X}", new Dictionary<string, string> { ["SWARM_X"] = "hospital-b" });
        Assert.Equal("hospital-b", config.GetString("id"));
        Assert.Equal("environment variable SWARM_X", config.GetValue("id").Origin.Source);
    }

    [Fact]
    public void An_absent_optional_environment_substitution_leaves_the_key_absent()
    {
        var config = Hocon.Load("id = ${?SWARM_X}\nother = 1");
        Assert.False(config.HasPath("id"));
        Assert.True(config.HasPath("other"));
    }

    [Fact]
    public void A_missing_required_substitution_is_an_error_with_file_line_and_key()
    {
        var error = Hocon.Fails("a = 1\nstore { path = ${nowhere} }");
        Assert.Equal("test.conf", error.File);
        Assert.Equal(2, error.Line);
        Assert.Equal("store.path", error.Key);
        Assert.StartsWith("test.conf:2: key 'store.path': substitution ${nowhere} is not defined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_substitution_cycle_is_an_error_naming_the_cycle()
    {
        var error = Hocon.Fails("a = ${b}\nb = ${a}");
        Assert.Contains("substitution cycle: a -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_self_reference_without_an_earlier_value_is_an_error()
    {
        var error = Hocon.Fails("a = ${a}x");
        Assert.Contains("no earlier value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concatenating_an_object_with_a_string_is_an_error()
    {
        var error = Hocon.Fails("o { a = 1 }\ns = ${o} text");
        Assert.Equal("s", error.Key);
        Assert.Contains("cannot concatenate an object with a string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_can_refer_to_a_sibling_inside_a_merged_object()
    {
        var config = Hocon.Load("base { p = 1, q = 1 }\na = ${base} { x = ${a.p}, y = ${a.z}, z = 3, q = 2 }\nb = ${a.q}");
        Assert.Equal(1, config.GetInt("a.x"));
        Assert.Equal(3, config.GetInt("a.y"));
        Assert.Equal(2, config.GetInt("b"));
    }

    [Fact]
    public void Siblings_that_refer_to_each_other_inside_a_merged_object_are_a_cycle()
    {
        var error = Hocon.Fails("base { p = 1 }\na = ${base} { x = ${a.y}, y = ${a.x} }");
        Assert.Contains("substitution cycle", error.Message, StringComparison.Ordinal);
    }
}
