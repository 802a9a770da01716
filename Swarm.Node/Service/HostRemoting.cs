using Swarm.Node.Identity;

namespace Swarm.Node.Service;

/// <summary>What the Generic Host's actor system and the node share: the consortium source (the TLS validator of
/// Akka.Remote asks it at every handshake, and the node reloads it) and the node's certificate; null when the node
/// has no consortium or its files cannot be read (the node's start then reports why).</summary>
public sealed record HostRemoting((ConsortiumSource Consortium, NodeIdentity Identity)? Loaded);
