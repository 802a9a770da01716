using Swarm.Consensus.Pbft;

namespace Swarm.Actors.Consensus;

/// <summary>Carries signed messages to peers.</summary>
public interface IReplicaTransport
{
    void Send(int from, int to, SignedMessage message);

    void Broadcast(int from, SignedMessage message);
}
