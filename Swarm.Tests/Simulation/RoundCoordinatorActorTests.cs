using Swarm.Actors.Runtime;
using Swarm.Actors.Training;
using Swarm.Learning.Aggregation;
using Swarm.Node.Simulation;
using Swarm.Tests.TestKit;

namespace Swarm.Tests.Simulation;

/// <summary>The coordinator actor with probes standing in for the sites (no training).</summary>
public sealed class RoundCoordinatorActorTests : ActorTestKit
{
    private static readonly float[] Global = [0f, 1f, 2f, 3f];

    [Fact]
    public async Task A_round_whose_quorum_becomes_unreachable_fails_with_the_sites_reasons()
    {
        var site0 = CreateProbe();
        var site1 = CreateProbe();
        var sites = new Dictionary<string, ActorRef> { ["site-0"] = site0.Ref, ["site-1"] = site1.Ref };
        var coordinator = Sys.ActorOf(Props.Create(() => new RoundCoordinatorActor(sites, 2, new FedAvg())), "coordinator");
        var requester = CreateProbe();

        requester.Send(coordinator, new RunRound(new TrainIns(1, Global, 1, 0, 1, 1.0)));
        await site0.ExpectMsgAsync<TrainIns>(phase: "site-0 asked to train");
        site0.Reply(new TrainingFailed("site-0", 1, "engine out of memory"));

        var failed = await requester.ExpectMsgAsync<RoundFailed>(phase: "quorum of 2 unreachable");
        Assert.Equal(1, failed.Round);
        Assert.Contains("site-0: engine out of memory", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_site_that_cannot_reproduce_the_aggregate_rejects_the_round()
    {
        var site0 = CreateProbe();
        var site1 = CreateProbe();
        var sites = new Dictionary<string, ActorRef> { ["site-0"] = site0.Ref, ["site-1"] = site1.Ref };
        var coordinator = Sys.ActorOf(Props.Create(() => new RoundCoordinatorActor(sites, 2, new FedAvg())), "coordinator");
        var requester = CreateProbe();
        var update0 = RoundAggregateTests.Publish("site-0", 10, [0.1f, 0.2f, 0.3f, 0.4f]);
        var update1 = RoundAggregateTests.Publish("site-1", 30, [0.5f, -0.2f, 0f, 0.4f]);

        requester.Send(coordinator, new RunRound(new TrainIns(1, Global, 1, 0, 1, 1.0)));
        await site0.ExpectMsgAsync<TrainIns>(phase: "site-0 asked to train");
        site0.Reply(new TrainRes(1, update0, 0.5, TimeSpan.Zero));
        await site1.ExpectMsgAsync<TrainIns>(phase: "site-1 asked to train");
        site1.Reply(new TrainRes(1, update1, 0.4, TimeSpan.Zero));

        var check0 = await site0.ExpectMsgAsync<AggregateIns>(phase: "site-0 asked to recompute");
        var honest = RoundAggregate.Compute(new FedAvg(), check0.GlobalParameters, check0.Updates);
        site0.Reply(new AggregateRes("site-0", 1, honest.AggregateHash, honest.ModelHash));
        await site1.ExpectMsgAsync<AggregateIns>(phase: "site-1 asked to recompute");
        site1.Reply(new AggregateRes("site-1", 1, new string('e', 64), honest.ModelHash));

        var done = await requester.ExpectMsgAsync<RoundCompleted>(phase: "decision");
        Assert.False(done.Decision.Accepted);
        Assert.Equal("site-1", Assert.Single(done.Decision.Dissent).SiteId);
    }
}
