namespace Swarm.Learning.Training;

/// <summary>Learning rate per epoch. <see cref="MultiStep"/> is MedMNIST v2's recipe: × 0.1 at 50 % and again at
/// 75 % of the epochs (Yang et al. 2023, "Experiments": MultiStepLR milestones 0.5 and 0.75).</summary>
public enum LearningRateSchedule
{
    Constant,
    MultiStep,
}

/// <summary>Evaluates a <see cref="LearningRateSchedule"/>.</summary>
public static class LearningRateSchedules
{
    public static double At(this LearningRateSchedule schedule, double baseRate, int epoch, int epochs)
    {
        if (schedule == LearningRateSchedule.Constant)
        {
            return baseRate;
        }
        var rate = baseRate;
        if (epoch >= (int)(0.5 * epochs))
        {
            rate *= 0.1;
        }
        if (epoch >= (int)(0.75 * epochs))
        {
            rate *= 0.1;
        }
        return rate;
    }
}
