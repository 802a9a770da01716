namespace Swarm.Actors.Training;

/// <summary>
/// How a site behaves toward the swarm. Real sites are <see cref="Honest"/>; the other behaviours are a test and
/// simulation facility that makes a site Byzantine on purpose, so that robust aggregation and the replicas'
/// recomputation of every aggregate can be shown to hold against it. Nothing reads a behaviour from a node's
/// configuration.
/// </summary>
public abstract record SiteBehavior
{
    private SiteBehavior()
    {
    }

    /// <summary>Follows the protocol.</summary>
    public static SiteBehavior Honest { get; } = new HonestSite();

    /// <summary>Follows the protocol.</summary>
    public sealed record HonestSite : SiteBehavior;

    /// <summary>
    /// Model poisoning: trains honestly but publishes Δ × <see cref="Scale"/>. A large negative scale (say −10)
    /// is a boosted sign-flipping attack: under plain averaging it outweighs every honest update and turns the
    /// round into gradient ascent, while Krum (Blanchard et al. 2017) and the coordinate-wise median (Yin et al.
    /// 2018) bound its effect.
    /// </summary>
    public sealed record PoisonedUpdate : SiteBehavior
    {
        public PoisonedUpdate(double scale)
        {
            if (!double.IsFinite(scale))
            {
                throw new ArgumentOutOfRangeException(nameof(scale), scale, "the poisoning scale must be a finite number");
            }
            Scale = scale;
        }

        /// <summary>The factor the published Δ is multiplied by.</summary>
        public double Scale { get; }
    }

    /// <summary>
    /// A dishonest replica: when asked to recompute a round's aggregate it answers the hashes of a tampered
    /// aggregate (the honest Δ_agg with <see cref="Shift"/> added to its first coordinate) instead of the honest
    /// ones, as a replica voting for a model it made up would.
    /// </summary>
    public sealed record WrongAggregateHash : SiteBehavior
    {
        /// <summary>What is added to the first coordinate of the honest aggregate: finite and not zero.</summary>
        public float Shift
        {
            get;
            init => field = float.IsFinite(value) && value != 0
                ? value
                : throw new ArgumentOutOfRangeException(nameof(Shift), value, "the tampering shift must be a finite number other than 0");
        } = 1f;
    }
}
