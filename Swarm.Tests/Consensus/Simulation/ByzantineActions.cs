using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;
using Swarm.Consensus.Pbft;

namespace Swarm.Tests.Consensus.Simulation;

/// <summary>What Byzantine replicas do to their outgoing traffic and on their own timers. They hold their own
/// keys, so their lies are validly signed, except the forger's, which claim other replicas' names.</summary>
internal static class ByzantineActions
{
    public static IEnumerable<(int To, SignedMessage Message)> Outgoing(Simulation sim, SimNode node, int? to, SignedMessage message)
    {
        var targets = to is int single ? [single] : sim.Nodes.Where(n => n.Id != node.Id).Select(n => n.Id).ToArray();
        switch (node.Kind)
        {
            case ByzantineKind.Equivocate when message.Message is PrePrepare pp && to is null:
                var other = sim.Sign(node, pp with { Block = Alternative(pp.Block) });
                return targets.Select(t => (t, t % 2 == 0 ? message : other));
            case ByzantineKind.WrongDigest when message.Message is Prepare or Commit:
                var wrong = sim.Sign(node, message.Message switch
                {
                    Prepare p => p with { BlockHash = Digest.Of(sim.Random.Bytes(8)) },
                    Commit c => c with { BlockHash = Digest.Of(sim.Random.Bytes(8)) },
                    _ => message.Message,
                });
                return targets.Select(t => (t, wrong));
            case ByzantineKind.Forger:
                var victim = (node.Id + 1 + sim.Random.Next(sim.Nodes.Count - 1)) % sim.Nodes.Count;
                var forged = new SignedMessage(message.Message with { Sender = victim }, sim.Random.Bytes(message.Signature.Length));
                return targets.Select(t => (t, message)).Append((targets[sim.Random.Next(targets.Length)], forged));
            default:
                return targets.Select(t => (t, message));
        }
    }

    /// <summary>Another block for the same height: same requests in reverse order, one millisecond later.</summary>
    private static Block Alternative(Block block) =>
        new(block.Height, block.PreviousHash, block.Proposer, block.View, block.TimestampMs + 1, block.Requests.Reverse().ToArray());

    public static void OnTick(Simulation sim, SimNode node)
    {
        switch (node.Kind)
        {
            case ByzantineKind.Replayer when node.Recorded.Count > 0 && sim.Random.Chance(0.5):
                for (var i = 0; i < 4; i++)
                {
                    var old = node.Recorded[sim.Random.Next(node.Recorded.Count)];
                    foreach (var peer in sim.Nodes.Where(n => n.Id != node.Id && n.Id != old.Message.Sender))
                    {
                        sim.Route(node.Id, peer.Id, old);
                    }
                }
                break;
            case ByzantineKind.FutureFlood:
                Flood(sim, node);
                break;
        }
    }

    private static void Flood(Simulation sim, SimNode node)
    {
        var view = node.Host!.Replica.View;
        foreach (var peer in sim.Nodes.Where(n => n.Id != node.Id))
        {
            for (var i = 0; i < 6; i++)
            {
                var futureView = view + 1 + sim.Random.Next(40);
                var sequence = sim.Random.Range(1, 64);
                var hash = Digest.Of(sim.Random.Bytes(8));
                PbftMessage vote = i % 2 == 0 ? new Prepare(node.Id, futureView, sequence, hash) : new Commit(node.Id, futureView, sequence, hash);
                sim.Route(node.Id, peer.Id, sim.Sign(node, vote));
            }
            sim.Route(node.Id, peer.Id, sim.Sign(node, new FetchBlocks(node.Id, 1, 1_000)));
        }
    }
}
