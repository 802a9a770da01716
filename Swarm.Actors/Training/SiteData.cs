using Swarm.Learning.Data;

namespace Swarm.Actors.Training;

/// <summary>One site's own data: its partition of the training split and its slices of the validation and test
/// splits.</summary>
public sealed record SiteData(ImageDataset Train, ImageDataset Validation, ImageDataset Test);
