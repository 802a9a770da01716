using Swarm.Learning.Aggregation;
using Swarm.Learning.Training;

namespace Swarm.Actors.Training;

/// <summary>What a site takes from the task spec: how to train, the learning-rate schedule and the aggregation
/// strategy it uses to check every round's aggregate itself (never the coordinator's word).</summary>
public sealed record SiteSettings(TrainOptions Options, LearningRateSchedule Schedule, IAggregationStrategy Strategy);
