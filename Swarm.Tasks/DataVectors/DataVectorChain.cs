using System.Security.Cryptography;
using System.Text;
using Swarm.Learning.DataVectors;

namespace Swarm.Tasks.DataVectors;

/// <summary>
/// The replicated state of a data-vector task: every replica applies the same committed requests in the same
/// order and gets the same events. A vector counts when it names a participant, the pinned pre-trained model, a
/// sample count within bounds and a sequence above the site's previous one (it then replaces that one). When
/// <see cref="DataVectorTaskTerms.VectorsPerMerge"/> vectors have been accepted since the last merge opened and no
/// merge is open, merge k opens over the counting vectors (ordinal order of site id); it commits when
/// <see cref="DataVectorTaskTerms.VotesToCommit"/> sites vote the same merged hash for its vector set, as a round
/// finalizes its aggregate. Under the validated rule a merge first needs its λ: each site proposes the grid step
/// that scored best on its validation split, and once <see cref="DataVectorTaskTerms.VotesToCommit"/> sites have
/// proposed, the chain agrees the lower median (<see cref="LambdaAgreement.Agree"/>); votes come after that. Sites
/// publish whenever they like, so there are no rounds and no deadlines: a late site
/// simply publishes and is in the next merge. Pure: no I/O, clock or randomness.
/// </summary>
public sealed class DataVectorChain
{
    private readonly DataVectorTaskTerms _terms;
    private readonly SortedDictionary<string, VectorRef> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _votes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _proposals = new(StringComparer.Ordinal);
    private readonly List<MergeCommitted> _committed = [];
    private int _acceptedSinceOpen;

    public DataVectorChain(DataVectorTaskTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(terms));
        }
        _terms = terms;
    }

    /// <summary>The open merge, or null.</summary>
    public MergeOpened? Open { get; private set; }

    public IReadOnlyList<MergeCommitted> Committed => _committed;

    /// <summary>The open merge's agreed λ under the validated rule, or null (not agreed yet, or another rule).</summary>
    public LambdaAgreed? Agreed { get; private set; }

    /// <summary>The counting vectors, in ordinal order of site id.</summary>
    public IReadOnlyList<VectorRef> Counting => [.. _latest.Values];

    public IReadOnlyList<DataVectorEvent> Apply(DataVectorRequest request, long height)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_terms.Sites.Contains(request.Site, StringComparer.Ordinal))
        {
            return [new DataVectorRejected(request, $"{request.Site} is not a participant of {_terms.ChainId}", height)];
        }
        return request switch
        {
            VectorPublished published => Publish(published, height),
            MergeVote vote => Vote(vote, height),
            LambdaProposed proposal => Propose(proposal, height),
            _ => [new DataVectorRejected(request, $"unknown request {request.GetType().Name}", height)],
        };
    }

    /// <summary>SHA-256 over the vector set's (site, hash, sample count, sequence) in order: what votes bind.</summary>
    public static string SetDigest(IReadOnlyList<VectorRef> vectors)
    {
        var text = new StringBuilder();
        foreach (var v in vectors)
        {
            text.Append(v.Site).Append('\n').Append(v.VectorHash).Append('\n')
                .Append(v.SampleCount.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n')
                .Append(v.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private List<DataVectorEvent> Publish(VectorPublished p, long height)
    {
        string? reason = null;
        if (!string.Equals(p.BaseHash, _terms.BaseHash, StringComparison.OrdinalIgnoreCase))
        {
            reason = $"{p.Site}'s vector was taken from pre-trained model {Short(p.BaseHash)}, the task pins {Short(_terms.BaseHash)}";
        }
        else if (p.VectorHash.Length != 64 || !p.VectorHash.All(Uri.IsHexDigit))
        {
            reason = $"{p.Site}'s vector hash is not a SHA-256 in hex";
        }
        else if (p.SampleCount < 1 || (_terms.SampleCountMax > 0 && p.SampleCount > _terms.SampleCountMax))
        {
            reason = $"{p.Site}'s vector declares {p.SampleCount} samples (1 … {(_terms.SampleCountMax > 0 ? _terms.SampleCountMax : long.MaxValue)})";
        }
        else if (_latest.TryGetValue(p.Site, out var earlier) && p.Sequence <= earlier.Sequence)
        {
            reason = $"{p.Site}'s vector has sequence {p.Sequence}, not above its counting vector's {earlier.Sequence}";
        }
        if (reason is not null)
        {
            return [new DataVectorRejected(p, reason, height)];
        }
        var replaced = _latest.ContainsKey(p.Site);
        var vector = new VectorRef(p.Site, p.VectorHash.ToLowerInvariant(), p.SampleCount, p.Sequence);
        _latest[p.Site] = vector;
        _acceptedSinceOpen++;
        var events = new List<DataVectorEvent> { new VectorAccepted(vector, replaced, height) };
        OpenIfDue(events, height);
        return events;
    }

    private List<DataVectorEvent> Vote(MergeVote vote, long height)
    {
        if (Open is not { } open || vote.Merge != open.Merge)
        {
            return [new DataVectorRejected(vote, $"merge {vote.Merge} is not open", height)];
        }
        if (vote.VectorSetDigest != open.VectorSetDigest)
        {
            return [new DataVectorRejected(vote, $"{vote.Site} voted for another vector set than merge {open.Merge}'s", height)];
        }
        if (open.Rule == MergeRule.Validated && Agreed is null)
        {
            return [new DataVectorRejected(vote, $"{vote.Site} voted in merge {open.Merge} before its λ was agreed", height)];
        }
        if (!_votes.TryAdd(vote.Site, vote.MergedHash))
        {
            return [new DataVectorRejected(vote, $"{vote.Site} already voted in merge {open.Merge}", height)];
        }
        var agreeing = _votes.Where(v => v.Value == vote.MergedHash).Select(v => v.Key).Order(StringComparer.Ordinal).ToList();
        if (agreeing.Count < _terms.VotesToCommit)
        {
            return [];
        }
        var committed = new MergeCommitted(open.Merge, open.Included, vote.MergedHash, agreeing, height) { Lambda = Agreed?.Lambda };
        _committed.Add(committed);
        Open = null;
        Agreed = null;
        _votes.Clear();
        _proposals.Clear();
        var events = new List<DataVectorEvent> { committed };
        OpenIfDue(events, height);
        return events;
    }

    private List<DataVectorEvent> Propose(LambdaProposed proposal, long height)
    {
        string? reason = null;
        var grid = _terms.Grid;
        if (Open is not { } open || proposal.Merge != open.Merge)
        {
            reason = $"merge {proposal.Merge} is not open";
        }
        else if (open.Rule != MergeRule.Validated)
        {
            reason = $"merge {open.Merge} runs the {open.Rule.Name()} rule, which has no λ to propose";
        }
        else if (Agreed is not null)
        {
            reason = $"merge {open.Merge}'s λ is already agreed ({Agreed.Lambda.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        }
        else if (proposal.Step < 1 || proposal.Step > grid.Count)
        {
            reason = $"{proposal.Site} proposed step {proposal.Step}; the λ grid has steps 1 … {grid.Count}";
        }
        else if (!_proposals.TryAdd(proposal.Site, proposal.Step))
        {
            reason = $"{proposal.Site} already proposed a λ in merge {open.Merge}";
        }
        if (reason is not null)
        {
            return [new DataVectorRejected(proposal, reason, height)];
        }
        if (_proposals.Count < _terms.VotesToCommit)
        {
            return [];
        }
        var lambda = LambdaAgreement.Agree(_proposals.Values.Select(step => grid[step - 1]));
        var step = grid.ToList().IndexOf(lambda) + 1;
        Agreed = new LambdaAgreed(Open!.Merge, step, lambda, [.. _proposals.Keys.Order(StringComparer.Ordinal)], height);
        return [Agreed];
    }

    private void OpenIfDue(List<DataVectorEvent> events, long height)
    {
        if (Open is not null || _acceptedSinceOpen < _terms.VectorsPerMerge)
        {
            return;
        }
        var included = Counting;
        Open = new MergeOpened(_committed.Count + 1, included, SetDigest(included), _terms.Rule, height);
        _acceptedSinceOpen = 0;
        events.Add(Open);
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
