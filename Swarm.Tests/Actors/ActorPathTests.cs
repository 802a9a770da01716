using Swarm.Actors.Runtime;

namespace Swarm.Tests.Actors;

public sealed class ActorPathTests
{
    [Theory]
    [InlineData("swarm://node-a")]
    [InlineData("swarm://node-a/user")]
    [InlineData("swarm://hospital.eu-1/user/task-7/consensus")]
    [InlineData("swarm://n/temp/ask-12")]
    [InlineData("swarm://n/user/$1/child_~x")]
    public void Formatting_a_parsed_address_gives_the_same_text(string text)
    {
        Assert.True(ActorPath.TryParse(text, out var path, out var error), error);
        Assert.Equal(text, path!.ToString());
        Assert.Equal(path, ActorPath.Parse(path.ToString()));
    }

    [Fact]
    public void A_built_path_parses_back_to_its_node_and_elements()
    {
        var built = ActorPath.Root("node-b").Child("user").Child("ledger").Child("writer");

        var parsed = ActorPath.Parse(built.ToString());

        Assert.Equal("swarm://node-b/user/ledger/writer", built.ToString());
        Assert.Equal("node-b", parsed.NodeId);
        Assert.Equal(["user", "ledger", "writer"], parsed.Elements);
        Assert.Equal("writer", parsed.Name);
        Assert.Equal(ActorPath.Parse("swarm://node-b/user/ledger"), parsed.Parent);
        Assert.Equal(built, parsed);
        Assert.Equal(built.GetHashCode(), parsed.GetHashCode());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("akka://node/user/a", "must start with 'swarm://'")]
    [InlineData("swarm:///user/a", "node id is empty")]
    [InlineData("swarm://no de/user", "node id 'no de' has the character ' '")]
    [InlineData("swarm://$node/user", "node id '$node' has the character '$'")]
    [InlineData("swarm://node/user//a", "path element 2 is empty")]
    [InlineData("swarm://node/user/", "path element 2 is empty")]
    [InlineData("swarm://node/user/a?b", "path element 2 'a?b' has the character '?'")]
    public void A_malformed_address_is_an_error_naming_the_problem(string text, string expected)
    {
        Assert.False(ActorPath.TryParse(text, out var path, out var error));
        Assert.Null(path);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<FormatException>(() => ActorPath.Parse(text));
        Assert.Contains(expected, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_too_long_element_is_rejected()
    {
        var text = "swarm://node/user/" + new string('a', ActorPath.ElementCharsMax + 1);

        Assert.False(ActorPath.TryParse(text, out _, out var error));
        Assert.Contains($"at most {ActorPath.ElementCharsMax}", error, StringComparison.Ordinal);
    }
}
