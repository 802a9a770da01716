namespace Swarm.Node.Configuration;

/// <summary>How the images of a folder entry are brought to the entry's <c>image-size</c>: not at all (every image
/// must already be that size), stretched to a square, or the largest centred square cropped and scaled. Enlarging
/// is never done: an image smaller than the input is refused in every mode.</summary>
public enum ImageResize
{
    Exact,
    Stretch,
    Crop,
}
