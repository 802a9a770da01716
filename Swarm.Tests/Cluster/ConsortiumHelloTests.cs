using Google.Protobuf;
using Swarm.Node.Clustering;
using Swarm.Node.Identity;
using Swarm.Node.Networking.Wire;
using ConsortiumHello = Swarm.Node.Clustering.ConsortiumHello;

namespace Swarm.Tests.Cluster;

/// <summary>The consortium hello members exchange when they see each other up: its decoding refuses what a lying
/// member could send, and <see cref="ConsortiumViews"/> reports a difference once, with which side is behind.</summary>
public sealed class ConsortiumHelloTests : IDisposable
{
    private readonly NodeIdentity _a = NodeIdentity.Create("a", 1);
    private readonly NodeIdentity _b = NodeIdentity.Create("b", 1);
    private readonly Consortium _v3;

    public ConsortiumHelloTests() => _v3 = new Consortium("x", [_a.ToMember("h:1"), _b.ToMember("h:2")], Version: 3);

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public void A_hello_round_trips_with_the_verified_sender_and_a_bad_version_or_digest_is_refused()
    {
        var codec = ConsortiumWireCodec.Instance;
        Assert.True(codec.TryEncode(new ConsortiumHello("ignored", 3, _v3.Digest, false), out var encoded));

        Assert.Equal(new ConsortiumHello("b", 3, _v3.Digest, false), codec.TryDecode("b", encoded, out _));
        Assert.Null(codec.TryDecode("b", Wire(-1, _v3.Digest), out var negative));
        Assert.Contains("version -1 is negative", negative, StringComparison.Ordinal);
        Assert.Null(codec.TryDecode("b", Wire(3, _v3.Digest.ToUpperInvariant()), out var upper));
        Assert.Contains("not 64 lower-case hex digits", upper, StringComparison.Ordinal);
        Assert.Null(codec.TryDecode("b", Wire(3, new string('a', 5000)), out _));
        Assert.Null(codec.TryDecode("b", new ActorMessage { TypeUrl = ConsortiumWireCodec.HelloType, Body = ByteString.CopyFrom(0xff, 0xff) }, out var malformed));
        Assert.Contains("malformed", malformed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_on_another_version_is_reported_once_with_the_side_that_is_behind_and_clears_when_it_matches()
    {
        var views = new ConsortiumViews();
        var v4 = _v3.Replacing(_b.ToMember("h:2"))!;

        Assert.Null(views.Heard(new ConsortiumHello("b", 3, _v3.Digest, false), _v3));
        var behind = views.Heard(new ConsortiumHello("b", 3, _v3.Digest, true), v4);
        var again = views.Heard(new ConsortiumHello("b", 3, _v3.Digest, false), v4);
        var forked = views.Heard(new ConsortiumHello("b", 4, _v3.Digest, false), v4);
        var matched = views.Heard(new ConsortiumHello("b", 4, v4.Digest, false), v4);

        Assert.Equal($"consortium mismatch with member 'b': it has {_v3.VersionLabel}, this node {v4.VersionLabel} (member 'b' has an older file: copy this one there and reload it)", behind);
        Assert.Null(again);
        Assert.Contains("same version, different content", forked, StringComparison.Ordinal);
        Assert.Null(matched);
        Assert.True(ConsortiumViews.Matches(views.Of("b")!, v4));
    }

    private static ActorMessage Wire(long version, string digest) => new()
    {
        TypeUrl = ConsortiumWireCodec.HelloType,
        Body = new Swarm.Node.Networking.Wire.ConsortiumHello { Version = version, Digest = digest }.ToByteString(),
    };
}
