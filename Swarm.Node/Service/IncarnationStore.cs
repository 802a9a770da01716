using System.Buffers.Binary;
using Swarm.Consensus.Storage;

namespace Swarm.Node.Service;

/// <summary>Chooses this life's membership incarnation and stores it before the node joins (persist before you
/// send, STYLE.md #3): the larger of the wall clock in milliseconds and the last stored incarnation + 1, so a
/// restarted node always reports a higher incarnation than its previous life even when the clock went back.</summary>
public static class IncarnationStore
{
    public const string StateKey = "membership/incarnation";

    public static long Next(ILedgerStore store, TimeProvider time)
    {
        var saved = store.LoadState(StateKey) is { Length: 8 } bytes ? BinaryPrimitives.ReadInt64BigEndian(bytes) : 0;
        var next = Math.Max(saved + 1, time.GetUtcNow().ToUnixTimeMilliseconds());
        var value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, next);
        store.SaveState(StateKey, value);
        return next;
    }
}
