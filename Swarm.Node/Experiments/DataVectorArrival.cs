namespace Swarm.Node.Experiments;

/// <summary>The merged model after one event of the asynchronous run: step 0 is the pre-trained model, then one
/// step per vector published (or published again), merged by <paramref name="Rule"/> over the vectors that have
/// arrived so far.</summary>
public sealed record DataVectorArrival(string Dataset, string Partition, int Seed, int Step, string Event, string Rule,
    int Vectors, double ValAuc, double TestAuc);
