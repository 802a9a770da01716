using Google.Protobuf;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;
using Swarm.Tasks;

namespace Swarm.Node.Tasks;

/// <summary>Translates the task managers' consent messages to and from their protobuf form (swarm.proto
/// TaskCreate, TaskConsentAnswer, TaskStart, TaskAbort; a start's acknowledgement is a TaskStart body under its own
/// type). Decoding is the edge of the consent protocol: sizes,
/// task ids and digests are checked here, a bad body becomes a problem string, and the sender of every message is
/// the link's authenticated peer (<c>from</c>), never a field.</summary>
public sealed class TaskWireCodec : IActorWireCodec
{
    public const string CreateType = "swarm.v1.TaskCreate";
    public const string AnswerType = "swarm.v1.TaskConsentAnswer";
    public const string StartType = "swarm.v1.TaskStart";
    public const string AbortType = "swarm.v1.TaskAbort";

    /// <summary>A participant's acknowledgement of a start; its body is a TaskStart (task id and spec digest).</summary>
    public const string StartAckType = "swarm.v1.TaskStartAck";

    /// <summary>Longest refusal or abort reason carried, in characters (longer ones are cut on encoding).</summary>
    public const int ReasonCharsMax = 2048;

    private const int DigestBytes = 32;

    public static TaskWireCodec Instance { get; } = new();

    public bool Knows(string typeUrl) => typeUrl is CreateType or AnswerType or StartType or AbortType or StartAckType;

    public bool TryEncode(object message, out ActorMessage encoded)
    {
        encoded = message switch
        {
            CreateTask create => Wrap(CreateType, new TaskCreate { Spec = ByteString.CopyFrom(create.SpecBytes) }),
            TaskAnswer answer => Wrap(AnswerType, new TaskConsentAnswer
            {
                TaskId = answer.TaskId,
                SpecDigest = ByteString.CopyFrom(answer.SpecDigest),
                Consents = answer.Consents,
                Reason = Cut(answer.Reason ?? ""),
                Declaration = answer.Declaration is { } declaration ? WireOf(declaration) : null,
            }),
            StartTask start => Wrap(StartType, new TaskStart
            {
                TaskId = start.TaskId,
                SpecDigest = ByteString.CopyFrom(start.SpecDigest),
                Declarations = { start.Declarations.Select(WireOf) },
            }),
            StartTaskAck ack => Wrap(StartAckType, new TaskStart { TaskId = ack.TaskId, SpecDigest = ByteString.CopyFrom(ack.SpecDigest) }),
            AbortTask abort => Wrap(AbortType, new Networking.Wire.TaskAbort
            {
                TaskId = abort.TaskId,
                SpecDigest = ByteString.CopyFrom(abort.SpecDigest),
                Reason = Cut(abort.Reason),
            }),
            _ => null!,
        };
        return encoded is not null;
    }

    public object? TryDecode(string from, ActorMessage encoded, out string problem)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        try
        {
            return encoded.TypeUrl switch
            {
                CreateType => CreateOf(from, TaskCreate.Parser.ParseFrom(encoded.Body), out problem),
                AnswerType => AnswerOf(from, TaskConsentAnswer.Parser.ParseFrom(encoded.Body), out problem),
                StartType => StartOf(from, TaskStart.Parser.ParseFrom(encoded.Body), out problem),
                StartAckType => StartAckOf(from, TaskStart.Parser.ParseFrom(encoded.Body), out problem),
                AbortType => AbortOf(from, Networking.Wire.TaskAbort.Parser.ParseFrom(encoded.Body), out problem),
                _ => Fail($"unknown message type '{encoded.TypeUrl}'", out problem),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            return Fail($"malformed {encoded.TypeUrl}: {e.Message}", out problem);
        }
    }

    private static CreateTask? CreateOf(string from, TaskCreate wire, out string problem)
    {
        if (wire.Spec.Length > TaskSpecCodec.SpecBytesMax)
        {
            return Fail<CreateTask>($"task spec is {wire.Spec.Length} bytes, more than {TaskSpecCodec.SpecBytesMax}", out problem);
        }
        problem = "";
        return new CreateTask(from, wire.Spec.ToByteArray());
    }

    private static TaskAnswer? AnswerOf(string from, TaskConsentAnswer wire, out string problem)
    {
        if (!Check(wire.TaskId, wire.SpecDigest, wire.Reason, out problem))
        {
            return null;
        }
        SampleDeclaration? declaration = null;
        if (wire.Declaration is { } sent && (declaration = DeclarationOf(sent, out problem)) is null)
        {
            return null;
        }
        return new TaskAnswer(from, wire.TaskId, wire.SpecDigest.ToByteArray(), wire.Consents, wire.Consents ? null : wire.Reason)
        {
            Declaration = declaration,
        };
    }

    private static StartTask? StartOf(string from, TaskStart wire, out string problem)
    {
        if (!Check(wire.TaskId, wire.SpecDigest, "", out problem))
        {
            return null;
        }
        if (wire.Declarations.Count > SampleDeclaration.DeclarationsMax)
        {
            return Fail<StartTask>($"{wire.Declarations.Count} sample declarations, more than {SampleDeclaration.DeclarationsMax}", out problem);
        }
        var declarations = new List<SampleDeclaration>(wire.Declarations.Count);
        foreach (var sent in wire.Declarations)
        {
            if (DeclarationOf(sent, out problem) is not { } declaration)
            {
                return null;
            }
            declarations.Add(declaration);
        }
        return new StartTask(from, wire.TaskId, wire.SpecDigest.ToByteArray()) { Declarations = declarations };
    }

    private static TaskSampleDeclaration WireOf(SampleDeclaration declaration) => new()
    {
        TaskId = declaration.TaskId,
        Site = declaration.Site,
        SampleCount = declaration.SampleCount,
        Signature = ByteString.CopyFrom(declaration.Signature),
    };

    /// <summary>A declaration's fields within their limits (its signature is the submitter's and the chain's to check).</summary>
    private static SampleDeclaration? DeclarationOf(TaskSampleDeclaration wire, out string problem)
    {
        problem = !TaskSpecValidator.IsValidId(wire.TaskId) ? $"sample declaration for task id '{Cut(wire.TaskId)}', which is not a task id"
            : wire.Site.Length is 0 or > SiteCharsMax ? $"sample declaration with a site id of {wire.Site.Length} characters (1 to {SiteCharsMax})"
            : wire.Signature.Length > SignedPayload.SignatureBytesMax ? $"sample declaration signature of {wire.Signature.Length} bytes, more than {SignedPayload.SignatureBytesMax}"
            : "";
        return problem.Length == 0 ? new SampleDeclaration(wire.TaskId, wire.Site, wire.SampleCount, wire.Signature.ToByteArray()) : null;
    }

    /// <summary>Longest site (node) id in a sample declaration, as the chain's codec reads it.</summary>
    private const int SiteCharsMax = 256;

    private static StartTaskAck? StartAckOf(string from, TaskStart wire, out string problem) =>
        Check(wire.TaskId, wire.SpecDigest, "", out problem) ? new StartTaskAck(from, wire.TaskId, wire.SpecDigest.ToByteArray()) : null;

    private static AbortTask? AbortOf(string from, Networking.Wire.TaskAbort wire, out string problem) =>
        Check(wire.TaskId, wire.SpecDigest, wire.Reason, out problem)
            ? new AbortTask(from, wire.TaskId, wire.SpecDigest.ToByteArray(), wire.Reason)
            : null;

    private static bool Check(string taskId, ByteString digest, string reason, out string problem)
    {
        problem = !TaskSpecValidator.IsValidId(taskId)
            ? $"task id '{Cut(taskId)}' is not 1-64 letters, digits, '-', '_' or '.'"
            : digest.Length != DigestBytes ? $"spec digest is {digest.Length} bytes, not {DigestBytes} (SHA-256)"
            : reason.Length > ReasonCharsMax ? $"reason is {reason.Length} characters, more than {ReasonCharsMax}"
            : "";
        return problem.Length == 0;
    }

    private static string Cut(string text) => text.Length <= ReasonCharsMax ? text : text[..ReasonCharsMax];

    private static ActorMessage Wrap(string type, IMessage body) => new() { TypeUrl = type, Body = body.ToByteString() };

    private static T? Fail<T>(string why, out string problem)
        where T : class
    {
        problem = why;
        return null;
    }

    private static object? Fail(string why, out string problem) => Fail<object>(why, out problem);
}
