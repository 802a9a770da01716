namespace Swarm.Consensus.Pbft;

/// <summary>A signed message that passed <see cref="EnvelopeVerifier"/>: its sender is a member and every
/// signature in it verifies. Only the verifier can create one, so a forged signature cannot reach a replica.</summary>
public sealed class VerifiedMessage
{
    internal VerifiedMessage(SignedMessage signed)
    {
        Signed = signed;
    }

    public SignedMessage Signed { get; }

    public PbftMessage Message => Signed.Message;

    public int Sender => Signed.Message.Sender;

    /// <summary>A message this replica signed itself (the edge just produced the signature).</summary>
    internal static VerifiedMessage Own(SignedMessage signed) => new(signed);
}
