namespace Swarm.Learning.DataVectors;

/// <summary>One site's re-estimate of the merged model's BatchNorm statistics: the merged model's full parameter
/// vector with its running means and variances recomputed on <paramref name="SampleCount"/> of the site's
/// images.</summary>
public sealed record SiteMoments(string Site, long SampleCount, float[] Parameters);
