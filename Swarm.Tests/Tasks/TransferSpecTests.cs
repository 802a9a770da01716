using Swarm.Actors.Tasks;
using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

/// <summary>The transfer section of a task spec (docs/cross-chain.md, "Imports on nodes"): read from HOCON with every
/// problem at file:line, kept by the canonical encoding (so the genesis binds it), and the export messages between
/// nodes, which carry names and hashes only and may not speak for another node.</summary>
public sealed class TransferSpecTests
{
    private const string Chain = "task/xa/0123456789abcdef";
    private static readonly string Genesis = new('e', 64);

    private static string Spec(string transfer) => $$"""
        task {
          id = xb
          model = smallcnn
          participants = [a, b]
          datasets { a = pneumoniamnist, b = pneumoniamnist }
          transfer {
        {{transfer}}
          }
        }
        """;

    [Fact]
    public void A_transfer_section_is_read_with_its_defaults_and_survives_the_canonical_encoding()
    {
        var spec = TaskSpecFile.Parse(Spec($"source = \"{Chain}\", genesis = \"{Genesis}\", grant = g1, mode = regularize, layers = [conv1, fc1], lambda = 0.01"), "xb.conf");

        Assert.Equal(new TransferSpec(Chain, Genesis, "g1", "final", "regularize", ["conv1", "fc1"], 0.01, false) with { Layers = spec.Transfer!.Layers },
            spec.Transfer);
        Assert.Equal(["conv1", "fc1"], spec.Transfer.Layers);
        var decoded = TaskSpecCodec.Decode(TaskSpecCodec.Encode(spec));
        Assert.Equal(TaskSpecCodec.Encode(spec), TaskSpecCodec.Encode(decoded));
        Assert.Equal(spec.Transfer with { Layers = null }, decoded.Transfer! with { Layers = null });
        Assert.Equal(spec.Transfer.Layers, decoded.Transfer.Layers);
        var plain = spec with { Transfer = null };
        Assert.NotEqual(TaskSpecCodec.DigestHex(TaskSpecCodec.Encode(plain)), TaskSpecCodec.DigestHex(TaskSpecCodec.Encode(spec)));
        var (_, terms) = TaskGenesis.Create(spec, TaskSpecCodec.Encode(spec), [new byte[32], new byte[32]]);
        Assert.Equal(Chain, terms.TransferSource!.ChainId);
        Assert.Equal(Genesis, terms.TransferSource.GenesisHash.ToHex());
    }

    [Fact]
    public void A_wrong_transfer_section_names_every_problem_with_its_line()
    {
        var error = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec("""
            source = "task/xb"
            genesis = "abc"
            mode = copy
            lambda = -1
            colour = blue
            """), "xb.conf"));

        var all = string.Join("\n", error.Problems);
        Assert.Contains("xb.conf:11", all, StringComparison.Ordinal);
        Assert.Contains("key 'task.transfer.colour': unknown key", all, StringComparison.Ordinal);
        Assert.Contains("key 'task.transfer.grant': missing", all, StringComparison.Ordinal);

        var invalid = Assert.Throws<TaskSpecFileException>(() => TaskSpecFile.Parse(Spec($"""
            source = "task/xb/0123456789abcdef", genesis = "abc", grant = g1, mode = copy, lambda = -1
            """), "xb.conf"));
        var problems = string.Join("\n", invalid.Problems);
        Assert.Contains("task.transfer.source names this task's own id 'xb'", problems, StringComparison.Ordinal);
        Assert.Contains("task.transfer.genesis 'abc'", problems, StringComparison.Ordinal);
        Assert.Contains("task.transfer.mode 'copy' must be init or regularize", problems, StringComparison.Ordinal);
        Assert.Contains("task.transfer.lambda -1", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_messages_round_trip_from_their_sender_and_may_not_speak_for_another_node()
    {
        var codec = new ExportWireCodec();
        object[] messages =
        [
            new ExportRequest("node-e", "xb", [1, 2, 3], Chain, "final", "g1", ["conv1", "fc1"]),
            new ExportOffer("node-e", "xb", Chain, new string('a', 64), new string('b', 64)),
            new ExportRefused("node-e", "xb", Chain, "no export permission"),
        ];
        foreach (var message in messages)
        {
            Assert.True(codec.TryEncode(message, out var encoded));
            Assert.True(codec.Knows(encoded.TypeUrl));
            var decoded = codec.TryDecode("node-e", encoded, out var problem);
            Assert.Equal("", problem);
            Assert.Equal(Describe(message), Describe(decoded!));
            Assert.Null(codec.TryDecode("node-b", encoded, out problem));
            Assert.Contains("claims to come from 'node-e' over the link of 'node-b'", problem, StringComparison.Ordinal);
        }
    }

    private static string Describe(object message) => message switch
    {
        ExportRequest r => $"{r.Requester} {r.ImporterTaskId} {Convert.ToHexString(r.ImporterSpecBytes)} {r.SourceChainId} {r.Model} {r.GrantId} {string.Join(",", r.Layers)}",
        _ => message.ToString()!,
    };
}
