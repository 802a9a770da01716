namespace Swarm.Node.Networking;

/// <summary>Why bytes from a peer were not accepted as an envelope. Any rejection closes the connection.</summary>
public enum FrameRejectionKind
{
    /// <summary>The stream ended inside a frame (inside the length prefix or the body).</summary>
    Truncated,

    /// <summary>The length prefix announces more than <see cref="TransportOptions.FrameBytesMax"/>.</summary>
    Oversized,

    /// <summary>The length prefix is zero: an empty envelope carries nothing and is never sent.</summary>
    ZeroLength,

    /// <summary>The body is not a valid protobuf encoding of an Envelope.</summary>
    Malformed,

    /// <summary>The envelope carries no payload this version knows.</summary>
    UnknownPayload,

    /// <summary>A field is invalid: bad sender id, sender not the authenticated peer, sequence not increasing.</summary>
    InvalidField,

    /// <summary>A payload that must be signed has a missing or wrong signature.</summary>
    BadSignature,
}
