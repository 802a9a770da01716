namespace Swarm.Consensus.Blocks;

/// <summary>The clients of a chain and their public keys: whose signed requests replicas admit. It must be fixed
/// by what every member agreed to, like the genesis: a task chain's clients are its sites, named in the task spec
/// (whose digest is in the chain id) with the keys of the genesis members in the same order
/// (<see cref="ForMembers"/>). A request of a client not listed here is refused with that reason; membership
/// changes (<see cref="MembershipChange.ClientId"/>) are not listed, they carry a quorum's approvals instead.</summary>
public sealed class ClientKeys
{
    private readonly Dictionary<string, byte[]> _keys;

    public ClientKeys(IEnumerable<KeyValuePair<string, byte[]>> keys)
    {
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (client, key) in keys)
        {
            Invariant.Assert(client.Length > 0 && client != MembershipChange.ClientId, $"'{client}' cannot be a signing client");
            Invariant.Assert(_keys.TryAdd(client, key), $"client '{client}' is listed twice");
        }
    }

    /// <summary>No clients: only membership changes are admitted.</summary>
    public static ClientKeys None { get; } = new([]);

    /// <summary>Clients named after the chain's members: <paramref name="names"/>[i] signs with the key of the
    /// genesis member with id i.</summary>
    public static ClientKeys ForMembers(IReadOnlyList<string> names, Genesis genesis)
    {
        Invariant.Assert(names.Count == genesis.Members.Count, $"{names.Count} client names for {genesis.Members.Count} members");
        return new(names.Select((name, i) => KeyValuePair.Create(name, genesis.Members.Single(m => m.Id == i).PublicKey)));
    }

    public int Count => _keys.Count;

    /// <summary>The public key of <paramref name="clientId"/>, or null when it is not a client of this chain.</summary>
    public byte[]? Find(string clientId) => _keys.GetValueOrDefault(clientId);
}
