using Swarm.Consensus.Blocks;
using Swarm.Consensus.Encoding;

namespace Swarm.Tasks.CrossChain;

/// <summary>Reads back <see cref="Genesis.Encode"/>: what a cross-chain proof carries of its source chain's height 0.</summary>
public static class GenesisCodec
{
    private const string Tag = "swarm.genesis.v1";

    public static Genesis ReadFrom(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadString(64) != Tag)
        {
            throw new CanonicalFormatException("not a genesis encoding");
        }
        var chainId = reader.ReadString(ClientRequest.ClientIdBytesMax);
        var f = reader.ReadInt32();
        var count = reader.ReadCount(Genesis.MembersMax, "genesis members");
        var members = new Member[count];
        for (var i = 0; i < count; i++)
        {
            members[i] = new Member(reader.ReadInt32(), reader.ReadBytes(Genesis.PublicKeyBytesMax));
        }
        var parameters = ChainParameters.ReadFrom(ref reader);
        reader.ExpectEnd();
        return new Genesis(chainId, members, f, parameters);
    }
}
