using Swarm.Consensus.Encoding;

namespace Swarm.Consensus.Blocks;

/// <summary>Height 0 of a chain: its id, the first members with their public keys, f and the parameters. Anyone
/// holding it can verify every later block's commit certificate offline (<see cref="CertificateVerifier"/>).</summary>
public sealed record Genesis(string ChainId, IReadOnlyList<Member> Members, int F, ChainParameters Parameters)
{
    public const int MembersMax = 1_000;
    public const int PublicKeyBytesMax = 1_024;

    public Configuration InitialConfiguration => new(Members, F);

    /// <summary>The hash that block 1 links to.</summary>
    public Digest Hash => Digest.Of(Encode());

    public byte[] Encode()
    {
        var writer = new CanonicalWriter();
        writer.WriteString("swarm.genesis.v1").WriteString(ChainId).WriteInt32(F).WriteInt32(Members.Count);
        foreach (var member in Members)
        {
            writer.WriteInt32(member.Id).WriteBytes(member.PublicKey);
        }
        Parameters.WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>Returns an error naming what is wrong with this genesis, or null when it is usable.</summary>
    public string? Validate()
    {
        if (string.IsNullOrEmpty(ChainId))
        {
            return "the chain id is empty";
        }
        var configurationError = Configuration.Validate(Members, F);
        return configurationError ?? Parameters.Validate();
    }
}
