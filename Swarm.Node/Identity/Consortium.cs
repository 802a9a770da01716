namespace Swarm.Node.Identity;

/// <summary>The institutions that may talk to each other: the only trust anchor of the network (no CA). A TLS peer
/// is accepted only if its key fingerprint is pinned here under the node id it claims, and what it signs is checked
/// against the Ed25519 signing key listed here for that id.</summary>
public sealed record Consortium(string Name, IReadOnlyList<ConsortiumMember> Members)
{
    public ConsortiumMember? Find(string nodeId) => Members.FirstOrDefault(m => m.Id == nodeId);

    public Consortium With(ConsortiumMember member) => this with { Members = [.. Members, member] };

    /// <summary>Every problem with this consortium, each naming the member and field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("consortium.name is empty");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        var signingKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Members.Count; i++)
        {
            var m = Members[i];
            var label = string.IsNullOrEmpty(m.Id) ? $"members[{i}]" : $"member '{m.Id}'";
            AddIf(problems, NodeId.Problem(m.Id), $"{label}: id");
            AddIf(problems, EndpointParser.TryParse(m.Endpoint, out _, out _, out var endpointProblem) ? null : endpointProblem, $"{label}: endpoint");
            AddIf(problems, Fingerprint.Problem(m.Fingerprint), $"{label}: fingerprint");
            AddIf(problems, MemberKeys.Problem(m.SigningKey), $"{label}: signing-key");
            if (!string.IsNullOrEmpty(m.Id) && !ids.Add(m.Id))
            {
                problems.Add($"{label}: id is listed twice");
            }
            if (!string.IsNullOrEmpty(m.Fingerprint) && !fingerprints.TryAdd(m.Fingerprint, m.Id))
            {
                problems.Add($"{label}: fingerprint is already pinned for member '{fingerprints[m.Fingerprint]}'");
            }
            // One key under two ids would let one institution's signatures count twice towards a quorum.
            if (!string.IsNullOrEmpty(m.SigningKey) && !signingKeys.TryAdd(m.SigningKey, m.Id))
            {
                problems.Add($"{label}: signing-key is already the key of member '{signingKeys[m.SigningKey]}'");
            }
        }
        return problems;
    }

    private static void AddIf(List<string> problems, string? problem, string where)
    {
        if (problem is not null)
        {
            problems.Add($"{where} {problem}");
        }
    }
}
