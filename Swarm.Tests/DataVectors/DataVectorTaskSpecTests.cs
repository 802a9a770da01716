using Swarm.Node.Tasks;

namespace Swarm.Tests.DataVectors;

public sealed class DataVectorTaskSpecTests
{
    private static string Spec(string kind) => $$"""
        task {
          id = t1
          model = smallcnn
          {{kind}}
          participants = [a, b]
          datasets { a = breastmnist, b = breastmnist }
        }
        """;

    [Fact]
    public void A_data_vector_task_is_refused_by_nodes_with_a_message_saying_why()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec("kind = data-vectors"), "dv.conf"));
        var problem = Assert.Single(error.Problems);
        Assert.Contains("task.kind", problem, StringComparison.Ordinal);
        Assert.Contains("dv.conf:4", problem, StringComparison.Ordinal);
        Assert.Contains("data-vector tasks are not run by nodes yet", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Kind_rounds_or_no_kind_is_a_round_task_and_an_unknown_kind_is_refused()
    {
        Assert.Equal("t1", TaskSpecFile.Parse(Spec("kind = rounds"), "r.conf").Id);
        Assert.Equal("t1", TaskSpecFile.Parse(Spec(""), "r.conf").Id);
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec("kind = gossip"), "g.conf"));
        Assert.Contains("\"gossip\" is not a task kind", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
