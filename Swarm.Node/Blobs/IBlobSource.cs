namespace Swarm.Node.Blobs;

/// <summary>What a node serves to a peer that asks for a blob: the file to stream, or null when the blob is not here
/// or not for that peer (both are answered alike, so a stranger to a task cannot even learn that a hash exists).</summary>
public interface IBlobSource
{
    string? PathFor(string peer, string hash);
}

/// <summary>Serves every blob of a <see cref="BlobStore"/> to every authenticated peer.</summary>
public sealed class StoreBlobSource(BlobStore store) : IBlobSource
{
    public string? PathFor(string peer, string hash) => store.Contains(hash) ? store.PathOf(hash) : null;
}
