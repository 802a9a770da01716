using Google.Protobuf;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using Swarm.Node.Tasks;
using Swarm.Tasks;

namespace Swarm.Tests.Tasks;

public sealed class TaskWireCodecTests
{
    private static readonly byte[] Digest = TaskSpecCodec.Digest("spec"u8);
    private static readonly ActorWireCodecs Codecs = new([TaskWireCodec.Instance]);

    public static TheoryData<object> Messages() => new()
    {
        new CreateTask("forged", [1, 2, 3]),
        new TaskAnswer("forged", "t-1", Digest, false, "not allowed"),
        new TaskAnswer("forged", "t-1", Digest, true, null),
        new StartTask("forged", "t-1", Digest),
        new TaskAnswer("forged", "t-1", Digest, true, null) { Declaration = new SampleDeclaration("t-1", "node-b", 4_708, [7, 8, 9]) },
        new StartTask("forged", "t-1", Digest)
        {
            Declarations = [new SampleDeclaration("t-1", "node-a", 1, [1]), new SampleDeclaration("t-1", "node-b", 4_708, [7, 8, 9])],
        },
        new AbortTask("forged", "t-1", Digest, "b refused"),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_message_decodes_to_itself_sent_by_the_authenticated_peer(object message)
    {
        Assert.True(Codecs.TryEncode(message, out var encoded));

        var decoded = Codecs.TryDecode("node-b", encoded, out var problem);

        Assert.Equal("", problem);
        var expected = message switch
        {
            CreateTask m => (object)(m with { From = "node-b" }),
            TaskAnswer m => m with { From = "node-b" },
            StartTask m => m with { From = "node-b" },
            AbortTask m => m with { From = "node-b" },
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(Show(expected), Show(decoded!));
    }

    [Fact]
    public void A_digest_that_is_not_sha256_sized_is_refused()
    {
        var encoded = new ActorMessage { TypeUrl = TaskWireCodec.StartType, Body = new TaskStart { TaskId = "t", SpecDigest = ByteString.CopyFrom(1, 2) }.ToByteString() };

        Assert.Null(Codecs.TryDecode("node-b", encoded, out var problem));
        Assert.Equal("spec digest is 2 bytes, not 32 (SHA-256)", problem);
    }

    [Fact]
    public void A_task_id_that_cannot_name_an_actor_is_refused()
    {
        var body = new TaskConsentAnswer { TaskId = "../gossip", SpecDigest = ByteString.CopyFrom(Digest), Consents = true };
        var encoded = new ActorMessage { TypeUrl = TaskWireCodec.AnswerType, Body = body.ToByteString() };

        Assert.Null(Codecs.TryDecode("node-b", encoded, out var problem));
        Assert.StartsWith("task id '../gossip' is not 1-64 letters", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_is_not_protobuf_is_refused_as_malformed()
    {
        var encoded = new ActorMessage { TypeUrl = TaskWireCodec.AbortType, Body = ByteString.CopyFrom(0xff, 0xff, 0xff) };

        Assert.Null(Codecs.TryDecode("node-b", encoded, out var problem));
        Assert.StartsWith("malformed swarm.v1.TaskAbort", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_retired_membership_messages_are_refused_as_unknown_types()
    {
        var encoded = new ActorMessage { TypeUrl = "swarm.v1.MembershipHeartbeat", Body = new MembershipHeartbeat { Incarnation = 3 }.ToByteString() };

        Assert.Null(Codecs.TryDecode("node-b", encoded, out var problem));
        Assert.Equal("unknown message type 'swarm.v1.MembershipHeartbeat'", problem);
    }

    /// <summary>Records holding byte arrays compare them by reference; compare their text instead.</summary>
    private static string ShowDeclarations(IReadOnlyList<SampleDeclaration> declarations) =>
        string.Join(",", declarations.Select(d => $"{d.TaskId}/{d.Site}/{d.SampleCount}/{Convert.ToHexString(d.Signature)}"));

    [Fact]
    public void A_declaration_with_an_oversized_signature_is_refused_at_the_edge()
    {
        var start = new TaskStart { TaskId = "t", SpecDigest = ByteString.CopyFrom(Digest) };
        start.Declarations.Add(new TaskSampleDeclaration { TaskId = "t", Site = "a", SampleCount = 1, Signature = ByteString.CopyFrom(new byte[1_000]) });
        var encoded = new ActorMessage { TypeUrl = TaskWireCodec.StartType, Body = start.ToByteString() };

        Assert.Null(Codecs.TryDecode("node-b", encoded, out var problem));
        Assert.Contains("signature of 1000 bytes", problem, StringComparison.Ordinal);
    }

    private static string Show(object message) => message switch
    {
        CreateTask m => $"create {m.From} {Convert.ToHexString(m.SpecBytes)}",
        TaskAnswer m => $"answer {m.From} {m.TaskId} {Convert.ToHexString(m.SpecDigest)} {m.Consents} {m.Reason} {ShowDeclarations(m.Declaration is { } d ? [d] : [])}",
        StartTask m => $"start {m.From} {m.TaskId} {Convert.ToHexString(m.SpecDigest)} {ShowDeclarations(m.Declarations)}",
        AbortTask m => $"abort {m.From} {m.TaskId} {Convert.ToHexString(m.SpecDigest)} {m.Reason}",
        _ => message.ToString()!,
    };
}
