using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>An operation submitted by a client. <paramref name="RequestId"/> increases per client; replicas
/// execute a request only if its id is above the last one executed for that client, which suppresses duplicates
/// and replays (Castro and Liskov, TOCS 2002, §4.1: "timestamps ... ensure exactly-once semantics").</summary>
public sealed record ClientRequest(string ClientId, long RequestId, byte[] Payload)
{
    public const int ClientIdBytesMax = 256;
    public const int PayloadBytesMax = 1 << 20;

    public RequestKey Key => new(ClientId, RequestId);

    /// <summary>Whether this request runs after <paramref name="lastExecuted"/> (the last executed id per client):
    /// only if its id is above its client's last one, so repeats and replays run once.</summary>
    public bool RunsAfter(IReadOnlyDictionary<string, long> lastExecuted) => RequestId > lastExecuted.GetValueOrDefault(ClientId, -1);

    public void WriteTo(CanonicalWriter writer) =>
        writer.WriteString(ClientId).WriteInt64(RequestId).WriteBytes(Payload);

    public static ClientRequest ReadFrom(ref CanonicalReader reader) =>
        new(reader.ReadString(ClientIdBytesMax), reader.ReadInt64(), reader.ReadBytes(PayloadBytesMax));

    public Digest ComputeHash()
    {
        var writer = new CanonicalWriter(64 + Payload.Length);
        WriteTo(writer);
        return Digest.Of(writer.WrittenSpan);
    }
}
