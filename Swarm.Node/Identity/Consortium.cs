using System.Security.Cryptography;
using Swarm.Consensus.Encoding;

namespace Swarm.Node.Identity;

/// <summary>The institutions that may talk to each other: the only trust anchor of the network (no CA). A TLS peer
/// is accepted only if its key fingerprint is pinned here under the node id it claims, and what it signs is checked
/// against the Ed25519 signing key listed here for that id.</summary>
/// <paramref name="Version"/> counts the file's edits (<c>swarm consortium add|remove|rotate</c> each add one; 0 is a
/// file written before versions), and <see cref="Digest"/> fingerprints its content, so members can tell whether
/// they read the same file.
public sealed record Consortium(string Name, IReadOnlyList<ConsortiumMember> Members, long Version = 0)
{
    public ConsortiumMember? Find(string nodeId) => Members.FirstOrDefault(m => m.Id == nodeId);

    /// <summary>This consortium with <paramref name="member"/> added, one version later.</summary>
    public Consortium With(ConsortiumMember member) => this with { Members = [.. Members, member], Version = Version + 1 };

    /// <summary>This consortium without member <paramref name="nodeId"/>, one version later; null when it is not a member.</summary>
    public Consortium? Without(string nodeId) =>
        Find(nodeId) is null ? null : this with { Members = [.. Members.Where(m => m.Id != nodeId)], Version = Version + 1 };

    /// <summary>This consortium with the entry of <paramref name="member"/>'s id replaced (a rotated key, a moved
    /// endpoint), one version later; null when no member has that id.</summary>
    public Consortium? Replacing(ConsortiumMember member) =>
        Find(member.Id) is null ? null : this with { Members = [.. Members.Select(m => m.Id == member.Id ? member : m)], Version = Version + 1 };

    /// <summary>SHA-256 (hex) of the name, the version and every member's fields in order, each length-prefixed:
    /// two nodes with the same digest pin the same keys for the same ids. Comments and layout do not count.</summary>
    public string Digest
    {
        get
        {
            var writer = new CanonicalWriter().WriteString("swarm.consortium.v1").WriteString(Name).WriteInt64(Version).WriteInt32(Members.Count);
            foreach (var m in Members)
            {
                writer.WriteString(m.Id).WriteString(m.Endpoint).WriteString(m.Fingerprint).WriteString(m.SigningKey);
            }
            return Convert.ToHexStringLower(SHA256.HashData(writer.WrittenSpan));
        }
    }

    /// <summary>"v{version} {first 12 hex digits of the digest}", for logs and status lines.</summary>
    public string VersionLabel => $"v{Version} {Digest[..12]}";

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
