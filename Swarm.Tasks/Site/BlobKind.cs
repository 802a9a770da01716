namespace Swarm.Tasks;

/// <summary>What a blob holds.</summary>
public enum BlobKind : byte
{
    /// <summary>An encoded sparse update (UpdateCodec), named by the SHA-256 of its bytes.</summary>
    Update = 1,

    /// <summary>A global model's float32 parameters, little-endian, named by ModelDigest.</summary>
    Model = 2,

    /// <summary>An encoded cross-chain proof (CrossChainProof), named by the SHA-256 of its bytes: what an exporting
    /// node serves to an importing one.</summary>
    Proof = 3,
}
