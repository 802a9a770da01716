using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.CrossChain;

/// <summary>
/// An importer's trusted view of one source chain, light-client style: the genesis it was anchored on, the hash of
/// every block it verified, the source's configuration as those blocks changed it, the source task's state (which
/// round finalized which model) and its export policy. A proof extends the view only with blocks above what it
/// already trusts, and only once all of them are shown to be certified (the target's certificate under the
/// configuration in force at its height, and unbroken hash links down to the trusted head); so a refused proof never
/// changes the view, and later imports from the same source verify only the new blocks.
/// </summary>
public sealed class SourceChainView
{
    private readonly ISignatureVerifier _verifier;
    private readonly List<Digest> _hashes;
    private readonly SourceReplay _replay;

    private SourceChainView(Genesis genesis, TaskChainTerms terms, ISignatureVerifier verifier)
    {
        Genesis = genesis;
        Terms = terms;
        _verifier = verifier;
        _hashes = [genesis.Hash];
        _replay = new SourceReplay(genesis);
        Task = new TaskChain(terms, verifier);
        Policy = new ExportPolicy(terms, verifier);
    }

    public Genesis Genesis { get; }

    public TaskChainTerms Terms { get; }

    /// <summary>The source task's state as the trusted blocks decided it.</summary>
    public TaskChain Task { get; }

    public ExportPolicy Policy { get; }

    /// <summary>The source task's spec, whose digest the chain id binds (what an importer builds the source model's
    /// layout from).</summary>
    public TaskSpec? Spec { get; private init; }

    /// <summary>The highest trusted block (0: only the genesis).</summary>
    public long Height => _hashes.Count - 1;

    public Digest HeadHash => _hashes[^1];

    /// <summary>The source configuration that certifies the next block.</summary>
    public Configuration Configuration => _replay.Current;

    public Digest HashAt(long height) => _hashes[(int)height];

    /// <summary>A view anchored on the proof's genesis and spec: the spec must be the one whose digest the chain id
    /// binds, and the genesis exactly the one <see cref="TaskGenesis.Create"/> makes of that spec and the genesis
    /// keys (so members, f and parameters are those the participants consented to).</summary>
    public static SourceChainView? Anchor(CrossChainProof proof, ISignatureVerifier verifier, out string problem)
    {
        var genesis = proof.Genesis;
        if (genesis.Validate() is { } invalid)
        {
            problem = $"wrong genesis: {invalid}";
            return null;
        }
        if (TaskSpecCodec.TryDecode(proof.SpecBytes, out var specProblem) is not { } spec)
        {
            problem = $"wrong genesis: the proof's task spec does not decode ({specProblem})";
            return null;
        }
        if (TaskGenesis.ChainId(spec, proof.SpecBytes) != genesis.ChainId)
        {
            problem = $"wrong genesis: the task spec's digest gives chain {TaskGenesis.ChainId(spec, proof.SpecBytes)}, the genesis is of {genesis.ChainId}";
            return null;
        }
        if (genesis.Members.Count != spec.Participants.Count)
        {
            problem = $"wrong genesis: {genesis.Members.Count} members for {spec.Participants.Count} participants in the spec";
            return null;
        }
        var keys = genesis.Members.OrderBy(m => m.Id).Select(m => m.PublicKey).ToList();
        var (expected, terms) = TaskGenesis.Create(spec, proof.SpecBytes, keys);
        if (expected.Hash != genesis.Hash)
        {
            problem = $"wrong genesis: genesis {genesis.Hash} is not the one the task spec gives ({expected.Hash}): members, f or parameters differ";
            return null;
        }
        problem = "";
        return new SourceChainView(genesis, terms, verifier) { Spec = spec };
    }

    /// <summary>Adds the proof's blocks above <see cref="Height"/> once they are shown certified; blocks at or below
    /// it must be the ones already trusted. Returns the number of blocks added, or the reason the proof is refused
    /// (the view is then unchanged).</summary>
    public (int Added, string? Problem) Extend(CrossChainProof proof)
    {
        if (proof.Head is not { } head)
        {
            return (0, "the proof holds no block");
        }
        var fresh = new List<Block>();
        foreach (var block in proof.Blocks)
        {
            if (block.Height <= Height)
            {
                if (block.Height < 1 || _hashes[(int)block.Height] != block.Hash)
                {
                    return (0, $"tampered header: block {block.Height} hashes to {block.Hash}, the block this importer trusts at that height is " +
                        $"{(block.Height < 1 ? "none" : _hashes[(int)block.Height].ToString())}");
                }
                continue;
            }
            fresh.Add(block);
        }
        if (fresh.Count == 0)
        {
            return (0, null);
        }
        if (CheckNew(fresh, proof.Certificate) is { } problem)
        {
            return (0, problem);
        }
        foreach (var block in fresh)
        {
            var (executed, _) = _replay.Execute(block, Genesis, _verifier);
            Task.Apply(block.Height, executed!);
            foreach (var request in executed!)
            {
                Policy.Apply(block.Height, request);
            }
            _hashes.Add(block.Hash);
        }
        return (fresh.Count, null);
    }

    /// <summary>Every new block follows the last (heights consecutive from the trusted head, each linking to its
    /// predecessor's hash), every membership change in them is properly approved, and the last (the proof's head)
    /// carries a quorum of valid commit signatures of the configuration in force at its height. Runs on a copy of the
    /// replay state.</summary>
    private string? CheckNew(List<Block> fresh, CommitCertificate certificate)
    {
        var replay = _replay.Clone();
        var previous = HeadHash;
        var expected = Height + 1;
        Configuration? headConfig = null;
        foreach (var block in fresh)
        {
            if (block.Height != expected)
            {
                return $"missing block: the proof goes from height {expected - 1} to {block.Height}; it must hold every block above the " +
                    $"importer's trusted height {Height} (a missing block could hide a reconfiguration)";
            }
            if (block.PreviousHash != previous)
            {
                return block.Height == 1
                    ? $"wrong genesis: block 1 links to {block.PreviousHash}, not to the genesis {previous} of chain {Genesis.ChainId}"
                    : $"tampered header: block {block.Height} links to {block.PreviousHash}, but block {block.Height - 1} hashes to {previous}";
            }
            headConfig = replay.Current;
            var (_, problem) = replay.Execute(block, Genesis, _verifier);
            if (problem is not null)
            {
                return problem;
            }
            previous = block.Hash;
            expected++;
        }
        var head = fresh[^1];
        var verdict = new CertificateVerifier(Genesis.ChainId, _verifier).Verify(headConfig!, head, certificate);
        return verdict.Ok ? null : $"certificate of block {head.Height}: {verdict.Reason}";
    }
}
