namespace Swarm.Learning.Training;

/// <summary>Where DP-SGD's Poisson sampling masks and Gaussian noise come from.</summary>
public enum NoiseRandomness
{
    /// <summary>The operating system's CSPRNG, fresh on every draw, as Opacus' secure mode does: nobody, not even
    /// someone who knows every seed of the run, can replay the noise. The only mode whose ε holds.</summary>
    Secure,

    /// <summary>A generator seeded from <see cref="TrainOptions.Seed"/>: reproducible, for tests and experiments.
    /// Anyone who knows the seed can subtract the noise, so this is <b>not private</b>.</summary>
    Seeded,
}
