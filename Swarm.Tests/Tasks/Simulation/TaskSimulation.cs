using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Swarm.Actors.Consensus;
using Swarm.Consensus.Blocks;
using Swarm.Learning.Aggregation;
using Swarm.Learning.Metrics;
using Swarm.Learning.Updates;
using Swarm.Tasks;
using Swarm.Tests.Consensus.Simulation;

namespace Swarm.Tests.Tasks.Simulation;

/// <summary>
/// A deterministic simulation of one task's rounds: several <see cref="TaskSite"/> state machines on fake time, a fake
/// chain that commits every submitted request once and hands all sites the same blocks in the same order (what the
/// PBFT chain gives them, late for some), a fake trainer (deterministic small updates, the real
/// <see cref="RoundAggregate"/> over FedAvg), a lossy reordering network between the sites, crash-restarts (a site
/// keeps its ledger and blobs and loses what it had in flight) and Byzantine sites that lie in each message they send.
/// Checked as it runs: no honest site adopts a model other than its own recomputation of the round, adopted models
/// match their hashes, and honest sites agree round by round. At the end every honest site that is up completed
/// every round, on the same final model, unless the run stalled on the protocol's known gap (a closed round that
/// includes an update no live site holds), which the result names. The same seed replays the same run.
/// </summary>
public sealed class TaskSimulation
{

    private readonly PriorityQueue<Action, (long Time, long Order)> _events = new();
    private readonly List<CommittedBlock> _chainBlocks = [];
    private readonly TaskSimScenario _scenario;
    private readonly SimRandom _random;
    private readonly TaskSpec _spec;
    private readonly TaskChainTerms _terms;
    private readonly FakeSignatureScheme _verifier = new();
    private readonly ISigner[] _signers;
    private readonly TaskSimSite[] _sites;
    private readonly float[] _initial;
    private long _order;
    private long _requestId;
    private string? _failure;

    public TaskSimulation(TaskSimScenario scenario, ulong seed)
    {
        _scenario = scenario;
        Seed = seed;
        _random = new SimRandom(seed ^ 0x7A5C_0000_0000_0000UL);
        var ids = Enumerable.Range(0, scenario.N).Select(i => $"site-{i}").ToArray();
        _spec = new TaskSpec
        {
            Id = "sim",
            Model = "fake",
            Participants = ids,
            Datasets = ids.ToDictionary(s => s, _ => "fake"),
            Rounds = scenario.Rounds,
            Quorum = scenario.Quorum,
            RoundDeadline = TimeSpan.FromMilliseconds(TaskSimScenario.RoundDeadlineMs),
            Personalization = new PersonalizationSpec("none", 0),
            Privacy = new PrivacySpec(scenario.PrivacyMode, SecureAggregation: scenario.SecureAggregation, SecretSharing: scenario.SecretSharing),
            Optimizer = scenario.PrivacyMode == PrivacyModes.Dopamine
                ? new OptimizerSpec("sgd", 1.0, Momentum: 0, BatchSize: TaskSimScenario.DopamineBatch)
                : new OptimizerSpec(),
        };
        _signers = [.. Enumerable.Range(0, scenario.N).Select(FakeSignatureScheme.CreateSigner)];
        // A declaration names the task that the chain id names.
        var chainId = scenario.DeclaredSamples ? "task/sim/0000000000000000" : "task/sim";
        _terms = new TaskChainTerms(chainId, ids, [.. _signers.Select(s => s.PublicKey)], scenario.Rounds, scenario.Quorum, scenario.F)
        {
            SecureAggregation = scenario.SecureAggregation ? new ChainSecAggTerms(ChainSecAggTerms.ThresholdFor(scenario.N)) : null,
            SecretSharing = scenario.SecretSharing,
            SamplesDeclaredAtConsent = scenario.DeclaredSamples,
            Privacy = _spec.Privacy.DifferentialPrivacy
                ? new ChainPrivacyTerms(_spec.Privacy.NoiseMultiplier, _spec.Privacy.Delta, _spec.Optimizer.BatchSize, _spec.LocalEpochs)
                {
                    NoiseShares = scenario.PrivacyMode == PrivacyModes.Dopamine ? DopamineTerms.NoiseSharesOf(_spec) : 0,
                }
                : null,
        };
        _sites = [.. ids.Select((id, i) => new TaskSimSite(i, id, scenario.Liars.GetValueOrDefault(i)))];
        _initial = [.. Enumerable.Range(0, scenario.ModelLength).Select(i => (i % 7) * 0.01f)];
        _declarations = scenario.DeclaredSamples ? [.. _sites.Select(s => Declare(s, SampleCountOf(s)))] : [];
    }

    /// <summary>Every site's declaration as the task's start carries them (the consent checked them).</summary>
    private readonly IReadOnlyList<SampleDeclaration> _declarations;

    private SampleDeclaration Declare(TaskSimSite site, long count) =>
        SampleDeclaration.Sign(_terms.ChainId, _spec.Id, site.Id, count, bytes => _signers[site.Index].Sign(bytes));

    public ulong Seed { get; }

    /// <summary>The simulated sites (their stores hold what crossed the wire to them).</summary>
    public IReadOnlyList<TaskSimSite> Sites => _sites;

    /// <summary>The global model every site starts from.</summary>
    public IReadOnlyList<float> Initial => _initial;

    /// <summary>Bytes of all blobs the sites fetched or were offered, and of all chain requests, for the cost report.</summary>
    public long ChainRequestBytes { get; private set; }

    public long NowMs { get; private set; }

    public long EventsRun { get; private set; }

    public TaskSimResult Run()
    {
        foreach (var site in _sites)
        {
            Schedule(_random.Range(0, 20), () => Start(site, restarted: false));
        }
        foreach (var crash in _scenario.Crashes)
        {
            Schedule(crash.AtMs, () => Crash(_sites[crash.Site]));
            if (crash.RestartAtMs is { } up)
            {
                Schedule(up, () => Start(_sites[crash.Site], restarted: true));
            }
        }
        while (_failure is null && !Done() && _events.TryDequeue(out var action, out var at))
        {
            if (at.Time > TaskSimScenario.LivenessBoundMs)
            {
                break;
            }
            NowMs = at.Time;
            EventsRun++;
            action();
        }
        _failure ??= FinalCheck();
        return new TaskSimResult(_failure is null, Report(), _sites.Where(s => s.Honest).Max(s => s.Adopted.Count), StalledOn)
        {
            Finalized = LongestHonestChain()?.Finalized ?? [],
        };
    }

    /// <summary>Every honest site that is (or comes back) up has ended; only then may the run stop early.</summary>
    private bool Done() => _sites.Where(MustComplete).All(s => s.Ended is not null);

    private bool MustComplete(TaskSimSite site) =>
        site.Honest && !_scenario.SecAggDrops.ContainsKey(site.Index) && _scenario.Crashes.Where(c => c.Site == site.Index).All(c => c.RestartAtMs is not null);

    private string? FinalCheck()
    {
        var honestFinals = _sites.Where(s => s.Honest && s.Ended == TaskState.Completed).Select(s => s.Site!.GlobalHash).Distinct().ToList();
        if (honestFinals.Count > 1)
        {
            return $"agreement: honest sites ended on different final models ({string.Join(", ", honestFinals.Select(h => h?[..12]))})";
        }
        if (WeightProblem() is { } weight)
        {
            return weight;
        }
        var stuck = _sites.Where(s => MustComplete(s) && s.Ended != TaskState.Completed).Select(s => s.Id).ToList();
        if (stuck.Count == 0)
        {
            return null;
        }
        if (EndedOnRedeclaration() is { } ended)
        {
            StalledOn = ended;
            return null;
        }
        if ((_terms.SecureAggregation is not null || _terms.SecretSharing) && UnavailableUpdate() is { } unavailable)
        {
            StalledOn = unavailable;
            return null;
        }
        return $"liveness: {string.Join(", ", stuck)} did not complete all {_scenario.Rounds} rounds within {TaskSimScenario.LivenessBoundMs} ms";
    }

    /// <summary>With declared counts: every update a final round included carries its site's declared count (a liar
    /// never weighs more than it declared), and no round closed before the counts were on the chain.</summary>
    private string? WeightProblem()
    {
        if (!_scenario.DeclaredSamples)
        {
            return null;
        }
        foreach (var site in _sites.Where(s => s.Honest && s.Site is not null))
        {
            var chain = site.Site!.Chain;
            var wrong = chain.Finalized.SelectMany(f => f.Included.Select(u => (f.Round, u)))
                .FirstOrDefault(r => r.u.SampleCount != SampleCountOf(_sites[_terms.IndexOf(r.u.Site)]));
            if (wrong.u is not null)
            {
                return $"weight: round {wrong.Round} on {site.Id} weighs {wrong.u.Site} by {wrong.u.SampleCount}, not its declared {SampleCountOf(_sites[_terms.IndexOf(wrong.u.Site)])}";
            }
            if (chain.Finalized.Count > 0 && chain.SamplesFixedAt is null)
            {
                return $"weight: {site.Id}'s chain finalized rounds without the declared counts";
            }
        }
        return null;
    }

    /// <summary>With declared counts, a liar that re-signed its own count may get its record onto the chain first:
    /// the counts fixed are then not the ones the start carried, and the sites ask the chain to end the task rather
    /// than train under them (an honest site because its start said otherwise, the liar because its data does). A
    /// safe end, named in the result.</summary>
    private string? EndedOnRedeclaration()
    {
        var chains = _sites.Where(MustComplete).Select(s => s.Site?.Chain).ToList();
        return _scenario.DeclaredSamples && chains.All(c => c?.Cancellation is not null && _sites.Any(s => c.SamplesOf(s.Id) != SampleCountOf(s)))
            ? $"task ended on counts other than declared: {chains[0]!.Cancellation!.Reason}"
            : null;
    }

    /// <summary>The known gap of masked rounds: a closed round under secure aggregation or secret sharing that
    /// includes an update whose bytes no live site holds (its site crashed for good before anyone got them, or
    /// withholds them) can never be recomputed; only plain rounds drop such an update (<see cref="UpdatesMissing"/>).
    /// Named so that such a run reports it instead of failing liveness for it; in a plain task it fails.</summary>
    private string? UnavailableUpdate()
    {
        var chain = LongestHonestChain();
        var missing = chain?.CurrentClosed?.Included.FirstOrDefault(u => !_sites.Any(s => s.Up && s.Blobs.ContainsKey((BlobKind.Update, u.Hash))));
        return missing is null ? null : $"round {chain!.CurrentRound} includes {missing.Site}'s update {missing.Hash[..12]}, which no live site holds";
    }

    private TaskChain? LongestHonestChain() => _sites.Where(s => s.Honest && s.Site is not null).Select(s => s.Site!.Chain).MaxBy(c => c.Height);

    /// <summary>Why the run stalled without failing: an included update nobody live can give (see <see cref="UnavailableUpdate"/>).</summary>
    public string? StalledOn { get; private set; }

    private string Report()
    {
        var text = new StringBuilder();
        text.AppendLine($"task simulation seed {Seed} (replay: SWARM_SIM_SEED={Seed}) {_scenario} at {NowMs} ms, {EventsRun} events, chain height {_chainBlocks.Count}");
        text.AppendLine(_failure is not null ? "FAILED: " + _failure : StalledOn is not null ? "result: safe, stalled: " + StalledOn : "result: ok");
        foreach (var site in _sites)
        {
            text.AppendLine(site.StatusLine());
        }
        return text.ToString();
    }

    private void Schedule(long delayMs, Action action) => _events.Enqueue(action, (NowMs + delayMs, _order++));

    /// <summary>Schedules <paramref name="action"/> for the site's current life only (a crash drops it).</summary>
    private void ScheduleFor(TaskSimSite site, long delayMs, Action action)
    {
        var life = site.Life;
        Schedule(delayMs, () =>
        {
            if (site.Up && site.Life == life)
            {
                action();
            }
        });
    }

    private void Start(TaskSimSite site, bool restarted)
    {
        if (!restarted && site.Life > 0)
        {
            return; // crashed before it first started: it comes up at its restart, if any
        }
        var chain = new TaskChain(_terms, _verifier);
        foreach (var block in _chainBlocks.Take(site.LedgerBlocks))
        {
            chain.Apply(block.Height, block.Executed);
        }
        site.Up = true;
        site.Restarts += restarted ? 1 : 0;
        site.Ended = null;
        // Seeded entropy, the same after a restart (a node keeps a round's bytes on disk before its keys leave); nodes
        // draw them from the OS CSPRNG.
        var privacy = _spec.Privacy.DifferentialPrivacy || _scenario.DeclaredSamples ? new SitePrivacy(SampleCountOf(site)) : null;
        site.Site = new TaskSite(_spec, site.Id, chain, _initial, privacy, secAggEntropy: round =>
            SHA256.HashData(Encoding.UTF8.GetBytes($"{Seed}/{site.Id}/{round}")))
        {
            Declarations = _declarations,
        };
        Step(site, new SiteStarted(site.LedgerBlocks > 0));
        Sync(site);
        RetryLoop(site);
    }

    private void RetryLoop(TaskSimSite site) => ScheduleFor(site, TaskSimScenario.RetryMs, () =>
    {
        Step(site, RetryDue.Instance);
        RetryLoop(site);
    });

    private void Crash(TaskSimSite site)
    {
        site.Up = false;
        site.Life++;
        site.SyncScheduled = false;
    }

    /// <summary>Steps the site with <paramref name="input"/> and with what its outputs answer at once, like the adapter.</summary>
    private void Step(TaskSimSite site, SiteInput input)
    {
        var inputs = new Queue<SiteInput>([input]);
        while (_failure is null && site.Up && inputs.TryDequeue(out var next))
        {
            foreach (var output in site.Site!.Step(next))
            {
                CarryOut(site, output, inputs);
            }
        }
    }

    private void CarryOut(TaskSimSite site, SiteOutput output, Queue<SiteInput> inputs)
    {
        switch (output)
        {
            case TrainRound train:
                ScheduleFor(site, _random.Range(20, 300), () => Step(site, Trained(site, train)));
                if (site.Lies.HasFlag(TaskLie.EarlyClose))
                {
                    Submit(site, new CloseRound(train.Round, site.Id));
                }
                break;
            case RecomputeAggregate aggregate:
                ScheduleFor(site, _random.Range(1, 50), () => Step(site, Recompute(site, aggregate)));
                break;
            case RecomputeSecureAggregate secure:
                var result = secure.Run(u => site.Blobs[(BlobKind.Update, u.Hash)], _terms.IndexOf);
                if (result.Parameters is not null)
                {
                    site.OwnModels[(secure.Round, TaskChain.UpdateSetDigest(secure.Included))] = result.ModelHash;
                }
                ScheduleFor(site, _random.Range(1, 50), () => Step(site, result));
                break;
            case ScoreModel score:
                ScheduleFor(site, _random.Range(1, 50), () => Step(site, new ModelScored(score.Round, true, new ClassificationResult(0.5, 0.5), 10)));
                break;
            case Personalize:
                inputs.Enqueue(new PersonalizationDone(new ClassificationResult(0.5, 0.5), new ClassificationResult(0.5, 0.5), 0));
                break;
            case SubmitToChain submit:
                Submit(site, Lie(site, submit.Request));
                DropIfDue(site, submit.Request);
                break;
            case FetchBlob fetch when site.Blobs.TryGetValue((fetch.Kind, fetch.Hash), out var held):
                inputs.Enqueue(new BlobArrived(site.Id, fetch.Kind, fetch.Hash, held));
                break;
            case FetchBlob fetch:
                foreach (var to in fetch.From)
                {
                    Send(site, _sites[_terms.IndexOf(to)], target => Answer(target, site, fetch.Kind, fetch.Hash));
                }
                break;
            case StoreBlob store:
                site.Blobs[(store.Kind, store.Hash)] = store.Bytes;
                break;
            case OfferUpdate offer when _scenario.SecAggDrops.GetValueOrDefault(site.Index, SecAggDrop.None) == SecAggDrop.BeforeOffering:
                // Down for good between storing its update and offering it; the chain request after the offer still
                // goes out (it was on its way), so the chain names bytes no one else ever got.
                site.Dropped = true;
                Crash(site);
                break;
            case OfferUpdate offer:
                // A site offers only its own update (under secure aggregation: its masked vector).
                site.OwnUpdates.Add(offer.Hash);
                Offer(site, offer);
                break;
            case SetDeadline deadline:
                var token = ++site.DeadlineToken;
                ScheduleFor(site, (long)deadline.After.TotalMilliseconds, () =>
                {
                    if (site.DeadlineToken == token)
                    {
                        Step(site, new DeadlinePassed(deadline.Round));
                    }
                });
                break;
            case ModelAdopted adopted:
                CheckAdopted(site, adopted);
                break;
            case SiteEnded ended:
                site.Ended = ended.State;
                break;
        }
    }

    /// <summary>No honest site accepts a model other than its own recomputation; adopted bytes match their hash; honest
    /// sites agree on every round.</summary>
    private void CheckAdopted(TaskSimSite site, ModelAdopted adopted)
    {
        var round = adopted.Round.Round;
        var hash = adopted.Round.ModelHash;
        if (ModelDigest.Hex(adopted.Parameters) != hash)
        {
            _failure = $"site-{site.Index} adopted parameters for round {round} that do not match {hash[..12]}";
            return;
        }
        if (!site.Honest)
        {
            return;
        }
        if (site.OwnModels.TryGetValue((round, adopted.Round.UpdateSetDigest), out var own) && own != hash)
        {
            _failure = $"site-{site.Index} accepted model {hash[..12]} for round {round}, its own recomputation is {own[..12]}";
            return;
        }
        var other = _sites.FirstOrDefault(s => s.Honest && s.Adopted.TryGetValue(round, out var theirs) && theirs != hash);
        if (other is not null)
        {
            _failure = $"site-{site.Index} adopted {hash[..12]} for round {round}, site-{other.Index} adopted {other.Adopted[round][..12]}";
            return;
        }
        site.Adopted[round] = hash;
        site.AdoptedParameters[round] = adopted.Parameters;
    }

    /// <summary>A scenario's secure-aggregation dropout: the site goes down for good right after the request that
    /// marks its step (its shares, or its masked update) left it in round 1.</summary>
    private void DropIfDue(TaskSimSite site, TaskRequest request)
    {
        if (!_scenario.SecAggDrops.TryGetValue(site.Index, out var drop) || request.Round != 1)
        {
            return;
        }
        if ((drop == SecAggDrop.AfterShares && request is SecAggSharesPublished) || (drop == SecAggDrop.AfterMasking && request is UpdatePublished)
            || (drop == SecAggDrop.AfterKeys && request is ShareKeyPublished))
        {
            site.Dropped = true;
            Crash(site);
        }
    }

    private void Submit(TaskSimSite site, TaskRequest request)
    {
        var payload = request.ToPayload(_terms.ChainId, bytes => _signers[site.Index].Sign(bytes));
        ChainRequestBytes += payload.Length;
        var client = new ClientRequest(site.Id, ++_requestId, payload);
        // Ordered once for everybody, whenever the chain gets to it; a crash after sending does not take it back.
        Schedule(_random.Range(1, _scenario.DelayMaxMs), () =>
        {
            _chainBlocks.Add(new CommittedBlock(_chainBlocks.Count + 1, [client]));
            foreach (var member in _sites)
            {
                Sync(member);
            }
        });
    }

    /// <summary>Hands a site the blocks its ledger lacks, in chain order, after a delay.</summary>
    private void Sync(TaskSimSite site)
    {
        if (!site.Up || site.SyncScheduled)
        {
            return;
        }
        site.SyncScheduled = true;
        ScheduleFor(site, _random.Range(1, _scenario.DelayMaxMs), () =>
        {
            site.SyncScheduled = false;
            var blocks = _chainBlocks.Skip(site.LedgerBlocks).ToList();
            if (blocks.Count == 0)
            {
                return;
            }
            site.LedgerBlocks = _chainBlocks.Count;
            Step(site, new ChainCommitted(blocks));
        });
    }

    /// <summary>A message between sites: lost at the scenario's rate, delayed (so reordered) up to its bound, lost
    /// too when the receiver is down on arrival.</summary>
    private void Send(TaskSimSite from, TaskSimSite to, Action<TaskSimSite> deliver)
    {
        if (from == to || _random.Chance(_scenario.LossRate))
        {
            return;
        }
        Schedule(_random.Range(1, _scenario.DelayMaxMs), () =>
        {
            if (to.Up)
            {
                deliver(to);
            }
        });
    }

    /// <summary>An offer carries only the hash: the target then fetches the update from the offering site, as the
    /// node's blob transfer does. A liar's transfer brings other bytes under the announced hash; a withholder never
    /// serves its own update.</summary>
    private void Offer(TaskSimSite site, OfferUpdate offer)
    {
        foreach (var to in offer.To)
        {
            var target = _sites[_terms.IndexOf(to)];
            if (site.Lies.HasFlag(TaskLie.BlobBytes))
            {
                var garbage = _random.Bytes(40);
                Send(site, target, t => Step(t, new BlobArrived(site.Id, BlobKind.Update, offer.Hash, garbage)));
            }
            Send(site, target, t =>
            {
                Step(t, new UpdateOffered(site.Id, offer.Round, offer.Hash));
                Answer(site, t, BlobKind.Update, offer.Hash);
            });
        }
    }

    /// <summary>A site answers a peer's blob request from its store; a liar answers requests for others' blobs with
    /// garbage, and a withholder never gives its own update.</summary>
    private void Answer(TaskSimSite holder, TaskSimSite asker, BlobKind kind, string hash)
    {
        if (!holder.Blobs.TryGetValue((kind, hash), out var bytes))
        {
            return;
        }
        var own = holder.OwnUpdates.Contains(hash);
        if (own && holder.Lies.HasFlag(TaskLie.WithheldUpdate))
        {
            return;
        }
        if (!own && holder.Lies.HasFlag(TaskLie.BlobBytes))
        {
            bytes = _random.Bytes(bytes.Length);
        }
        Send(holder, asker, t => Step(t, new BlobArrived(holder.Id, kind, hash, bytes)));
    }

    /// <summary>The fake trainer: a deterministic small Δ from the site, the round and the global model (so a
    /// restarted site trains the same update again); a poisoner publishes −20 × Δ.</summary>
    private UpdateTrained Trained(TaskSimSite site, TrainRound train)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{site.Id}/{train.Round}/{ModelDigest.Hex(train.Global)}"));
        var scale = site.Lies.HasFlag(TaskLie.PoisonedUpdate) ? -20f : 1f;
        var delta = new float[train.Global.Length];
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = scale * (seed[i % seed.Length] - 128) / 1_000f;
        }
        var plan = site.Site!.PrivacyPlan;
        if (plan is not null && _scenario.PrivacyMode == PrivacyModes.Dopamine)
        {
            AddDopamineNoise(delta, seed, plan.SiteNoiseMultiplier * plan.ClipNorm);
        }
        var bytes = UpdateCodec.Encode(SparseUpdate.Dense(delta));
        var update = new PublishedUpdate(site.Id, SampleCountOf(site), bytes, RoundAggregate.HashOf(bytes));
        site.OwnUpdates.Add(update.Hash);
        site.Trained[train.Round] = update;
        return new UpdateTrained(train.Round, update, 0.5, TimeSpan.Zero, TimeSpan.Zero) { DpSteps = plan?.StepsPerRound ?? 0 };
    }

    private long SampleCountOf(TaskSimSite site) =>
        _scenario.PrivacyMode == PrivacyModes.Dopamine ? TaskSimScenario.DopamineSamples : 100 + (10 * site.Index);

    /// <summary>The fake Dopamine trainer's share of the noise: N(0, std²) per coordinate, seeded from the site, the
    /// round and the model (Box-Muller; nodes draw it from the OS CSPRNG), as if lr / batch were 1.</summary>
    private static void AddDopamineNoise(float[] delta, byte[] seed, double std)
    {
        var random = new Random(BitConverter.ToInt32(seed, 0));
        for (var i = 0; i < delta.Length; i++)
        {
            var u = 1.0 - random.NextDouble();
            delta[i] += (float)(std * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
    }

    private AggregateRecomputed Recompute(TaskSimSite site, RecomputeAggregate aggregate)
    {
        var updates = aggregate.Included.Select(u => new PublishedUpdate(u.Site, u.SampleCount, site.Blobs[(BlobKind.Update, u.Hash)], u.Hash)).ToList();
        try
        {
            var result = RoundAggregate.Compute(new FedAvg(), aggregate.Global, updates);
            site.OwnModels[(aggregate.Round, TaskChain.UpdateSetDigest(aggregate.Included))] = result.ModelHash;
            return new AggregateRecomputed(aggregate.Round, result.AggregateHash, result.ModelHash, result.Parameters);
        }
        catch (InvalidUpdateException e)
        {
            return new AggregateRecomputed(aggregate.Round, "", "", null, e.Message);
        }
    }

    /// <summary>What a Byzantine site makes of a request before it signs it.</summary>
    private TaskRequest Lie(TaskSimSite site, TaskRequest request)
    {
        switch (request)
        {
            case AggregateVote vote when site.Lies.HasFlag(TaskLie.AggregateHash):
                var forged = ModelDigest.Hex(MemoryMarshal.Cast<byte, float>(_random.Bytes(_scenario.ModelLength * sizeof(float))));
                return vote with { AggregateHash = forged, ModelHash = forged };
            case AggregateVote vote when site.Lies.HasFlag(TaskLie.ScoresAndImpersonation):
                Submit(site, vote with { Site = _terms.Sites[(site.Index + 1) % _terms.Sites.Count], ModelHash = new string('0', 64) });
                return vote;
            case ValidationReport report when site.Lies.HasFlag(TaskLie.ScoresAndImpersonation):
                return report with { Auc = 1, Accuracy = 1 };
            case UpdatePublished update when site.Lies.HasFlag(TaskLie.InflatedSamples):
                return update with { SampleCount = 10 * update.SampleCount };
            case SamplesDeclared declared when site.Lies.HasFlag(TaskLie.RedeclaredSamples):
                return declared with { Declarations = [.. declared.Declarations.Select(d => d.Site == site.Id ? Declare(site, 10 * d.SampleCount) : d)] };
            case UpdatePublished update when site.Lies.HasFlag(TaskLie.WithheldUpdate):
                return update with { UpdateHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(update.UpdateHash))) };
            default:
                return request;
        }
    }
}
