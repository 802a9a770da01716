using Swarm.Learning.DataVectors;

namespace Swarm.Tasks;

/// <summary>What a data-vector task (<see cref="DataVectorSpec"/>) needs: a pinned pre-trained model, a known merge
/// rule, a sane vector count and λ grid, a schedule of participants only, and none of the rounds' privacy machinery
/// (DP-SGD accounting, secure aggregation and secret sharing are built for rounds, not for published vectors).</summary>
public static class DataVectorRules
{
    public static void Check(TaskSpec spec, Action<bool, string> check)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(check);
        if (spec.DataVectors is not { } dv)
        {
            return;
        }
        const string p = "task.data-vectors";
        check(dv.Pretrained.Length == 64 && dv.Pretrained.All(char.IsAsciiHexDigitLower),
            $"{p}.pretrained '{dv.Pretrained}' must be the SHA-256 of the pre-trained model's parameter file, 64 lower-case hex digits");
        check(MergeRules.Parse(dv.MergeRule) is not null, $"{p}.merge-rule '{dv.MergeRule}' must be one of {string.Join(", ", MergeRules.Names)}");
        check(dv.VectorsPerMerge >= 1 && dv.VectorsPerMerge <= spec.Participants.Count,
            $"{p}.vectors-per-merge {dv.VectorsPerMerge} must be in [1, {spec.Participants.Count}] (the participants)");
        check(dv.LambdaSteps is >= 0 and <= 1_000, $"{p}.lambda-steps {dv.LambdaSteps} must be in [0, 1000] (0: 3 × participants)");
        foreach (var (site, times) in dv.Schedule)
        {
            check(spec.Participants.Contains(site), $"{p}.schedule names '{site}', which is not a participant");
            check(times.Count is >= 1 and <= DataVectorSpec.PublicationsMax,
                $"{p}.schedule.{site} must list 1 to {DataVectorSpec.PublicationsMax} times");
            check(times.All(t => t >= TimeSpan.Zero) && times.Zip(times.Skip(1)).All(w => w.First <= w.Second),
                $"{p}.schedule.{site} must be times from the task's start, not negative, in ascending order");
        }
        check(!spec.Privacy.DifferentialPrivacy && !spec.Privacy.SecureAggregation && !spec.Privacy.SecretSharing,
            $"task.privacy (mode {spec.Privacy.Mode}, secure aggregation, secret sharing) is for round tasks; a data-vector task publishes plain vectors: leave task.privacy out");
        check(spec.Personalization.Mode != "fedper", "task.personalization.mode fedper is for round tasks; a data-vector task merges every trainable layer");
    }
}
