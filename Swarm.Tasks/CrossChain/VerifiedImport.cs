namespace Swarm.Tasks.CrossChain;

/// <summary>What a verified proof established: chain <paramref name="SourceChainId"/> finalized
/// <paramref name="ModelHash"/> as round <paramref name="Round"/>'s model in the block at <paramref name="Height"/>,
/// and grant <paramref name="GrantId"/> lets the importer take <paramref name="Layers"/> of it.
/// <paramref name="BlocksVerified"/> is how many blocks the proof added to the importer's trusted view of the source
/// (0 when it already knew them).</summary>
public sealed record VerifiedImport(string SourceChainId, string ModelHash, int Round, long Height, string GrantId,
    IReadOnlyList<string> Layers, int BlocksVerified);

/// <summary>The outcome of checking a proof: the import it establishes, or the reason it is refused.</summary>
public sealed record ImportVerdict(VerifiedImport? Import, string Reason)
{
    public bool Ok => Import is not null;

    public static ImportVerdict Refuse(string reason) => new(null, reason);
}
