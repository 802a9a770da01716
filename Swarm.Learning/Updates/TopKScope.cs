namespace Swarm.Learning.Updates;

/// <summary>Where the top-θ share of an update is chosen.</summary>
public enum TopKScope
{
    /// <summary>Among all selectable coordinates at once: ⌈θ·m⌉ of the m, whatever layer they are in.</summary>
    Global,

    /// <summary>In every layer (tensor) separately: ⌈θ·n⌉ of each layer's n selectable coordinates, so no layer
    /// goes unshared because another has larger values.</summary>
    Layer,
}
