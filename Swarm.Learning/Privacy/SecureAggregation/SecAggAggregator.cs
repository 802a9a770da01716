namespace Swarm.Learning.Privacy.SecureAggregation;

/// <summary>The aggregator's role (Bonawitz et al. Figure 4, the server's side of rounds 2–4) as pure functions that
/// any site can run on the agreed messages: Swarm has no server, and every honest site recomputing the sum from
/// the same messages gets the same result. Nothing here is secret; a site running it learns only the sum.</summary>
public static class SecAggAggregator
{
    /// <summary>The request after the masked-input round: survivors are the sites of U2 whose masked input
    /// arrived, dropped the rest of U2.</summary>
    public static UnmaskRequest RequestUnmasking(
        int sender, SecAggParameters parameters, IReadOnlyList<AdvertiseKeys> advertised, IReadOnlyList<ShareKeys> shares,
        IReadOnlyList<MaskedInput> masked)
    {
        var ignored = new List<Rejection>();
        var dealt = SecAggRoster.Dealt(parameters, new NeighbourGraph(parameters), SecAggRoster.Advertised(parameters, advertised, ignored), shares, ignored);
        var arrived = masked.Where(m => m.Masked.Length == parameters.VectorLength).Select(m => m.Sender).ToHashSet();
        return new UnmaskRequest(sender, [.. dealt.Keys.Where(arrived.Contains)], [.. dealt.Keys.Where(site => !arrived.Contains(site))]);
    }

    /// <summary>The sum of the survivors' inputs, from the agreed messages of all rounds: Σ y_u − Σ PRG(b_u) for
    /// survivors u, then for each dropped v the pairwise masks it shared with survivors are removed with its rebuilt
    /// mask key. Revealed shares are checked against the dealer's commitments, rebuilt secrets against the dealer's
    /// public key or seed commitment; a bad share is rejected and another used.</summary>
    public static AggregationOutcome Aggregate(
        SecAggParameters parameters, IReadOnlyList<AdvertiseKeys> advertisedMessages, IReadOnlyList<ShareKeys> shareMessages,
        IReadOnlyList<MaskedInput> maskedMessages, UnmaskRequest request, IReadOnlyList<UnmaskResponse> responses)
    {
        var rejections = new List<Rejection>();
        var graph = new NeighbourGraph(parameters);
        var advertised = SecAggRoster.Advertised(parameters, advertisedMessages, rejections);
        var dealt = SecAggRoster.Dealt(parameters, graph, advertised, shareMessages, rejections);
        if (SecAggRoster.RequestProblem(parameters, request, dealt) is { } problem)
        {
            return new AggregationFailed(problem, request.Sender, rejections);
        }
        var sum = new ulong[parameters.VectorLength];
        if (AddMaskedInputs(parameters, request, maskedMessages, sum) is { } missing)
        {
            return missing with { Rejections = rejections };
        }
        var (selfShares, keyShares) = CollectShares(request, dealt, responses, parameters.SessionId, rejections);
        foreach (var survivor in request.Survivors)
        {
            var seed = Rebuild(parameters, selfShares[survivor], secret => SecAggCrypto.Commit(
                SecAggParticipant.SelfMaskSeedDomain, parameters.SessionId, survivor, survivor, secret).AsSpan().SequenceEqual(dealt[survivor].SelfMaskCommitment));
            if (seed is null)
            {
                return new AggregationFailed($"the self-mask seed of site {survivor} cannot be rebuilt from its shares", survivor, rejections);
            }
            MaskGenerator.Apply(sum, SecAggCrypto.SelfMaskKey(seed, parameters.SessionId), -1);
        }
        foreach (var gone in request.Dropped)
        {
            var maskKey = Rebuild(parameters, keyShares[gone], secret =>
                SecAggCrypto.PublicKeyOf(secret).AsSpan().SequenceEqual(advertised[gone].MaskPublicKey));
            if (maskKey is null)
            {
                return new AggregationFailed($"the mask key of dropped site {gone} cannot be rebuilt from its shares", gone, rejections);
            }
            foreach (var survivor in request.Survivors.Where(graph.Neighbours(gone).Contains))
            {
                var seed = SecAggCrypto.PairwiseSeed(maskKey, advertised[survivor].MaskPublicKey, parameters.SessionId, survivor, gone)!;
                // The survivor added +PRG when its index was the smaller one; take away what it added.
                MaskGenerator.Apply(sum, seed, survivor < gone ? -1 : 1);
            }
        }
        return new AggregateSum(sum, [.. request.Survivors.Order()], rejections);
    }

    private static AggregationFailed? AddMaskedInputs(
        SecAggParameters parameters, UnmaskRequest request, IReadOnlyList<MaskedInput> maskedMessages, ulong[] sum)
    {
        var bySender = new Dictionary<int, MaskedInput>();
        foreach (var message in maskedMessages.Where(m => request.Survivors.Contains(m.Sender)))
        {
            if (message.Masked.Length != parameters.VectorLength || (bySender.TryGetValue(message.Sender, out var other) && !ReferenceEquals(other, message)))
            {
                return new AggregationFailed($"site {message.Sender} sent a malformed or second masked input", message.Sender, []);
            }
            bySender[message.Sender] = message;
        }
        foreach (var survivor in request.Survivors)
        {
            if (!bySender.TryGetValue(survivor, out var message))
            {
                return new AggregationFailed($"survivor {survivor} has no masked input", request.Sender, []);
            }
            var masked = message.Masked;
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] = unchecked(sum[i] + masked[i]);
            }
        }
        return null;
    }

    /// <summary>The revealed shares that match their commitments, per owner: self-mask shares of survivors and
    /// mask-key shares of dropped sites, only from survivors that hold them, one response per survivor.</summary>
    private static (Dictionary<int, List<(int, byte[])>> Self, Dictionary<int, List<(int, byte[])>> Key) CollectShares(
        UnmaskRequest request, IReadOnlyDictionary<int, ShareKeys> dealt,
        IReadOnlyList<UnmaskResponse> responses, byte[] session, List<Rejection> rejections)
    {
        var selfShares = request.Survivors.ToDictionary(site => site, _ => new List<(int, byte[])>());
        var keyShares = request.Dropped.ToDictionary(site => site, _ => new List<(int, byte[])>());
        var answered = new HashSet<int>();
        foreach (var response in responses)
        {
            if (!selfShares.ContainsKey(response.Sender) || !answered.Add(response.Sender))
            {
                rejections.Add(new Rejection($"an unmask response from site {response.Sender}, not a survivor or not its first", response.Sender));
                continue;
            }
            Take(response.SelfMaskShares, selfShares, SecAggParticipant.SelfMaskShareDomain, e => e.SelfMaskShareCommitment);
            Take(response.MaskKeyShares, keyShares, SecAggParticipant.MaskKeyShareDomain, e => e.MaskKeyShareCommitment);

            void Take(IReadOnlyDictionary<int, byte[]> revealed, Dictionary<int, List<(int, byte[])>> into, string domain,
                Func<EncryptedShares, byte[]> commitment)
            {
                foreach (var (owner, share) in revealed)
                {
                    var entry = into.ContainsKey(owner) ? dealt[owner].Shares.FirstOrDefault(e => e.Holder == response.Sender) : null;
                    if (entry is null || !SecAggCrypto.Commit(domain, session, owner, response.Sender, share).AsSpan().SequenceEqual(commitment(entry)))
                    {
                        rejections.Add(new Rejection($"site {response.Sender} revealed a share of site {owner} that it does not hold or that does not match the commitment", response.Sender));
                        continue;
                    }
                    into[owner].Add((response.Sender, share));
                }
            }
        }
        return (selfShares, keyShares);
    }

    /// <summary>The secret from the first t verified shares, if it passes <paramref name="check"/>.</summary>
    private static byte[]? Rebuild(SecAggParameters parameters, List<(int Holder, byte[] Share)> shares, Func<byte[], bool> check)
    {
        if (shares.Count < parameters.Threshold)
        {
            return null;
        }
        var secret = ShamirSharing.Reconstruct(shares.Take(parameters.Threshold).ToList());
        return secret is not null && check(secret) ? secret : null;
    }
}
