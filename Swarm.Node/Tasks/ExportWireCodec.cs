using Google.Protobuf;
using Swarm.Actors.Tasks;
using Swarm.Consensus.Encoding;
using Swarm.Node.Networking.Wire;
using Swarm.Node.Service;

namespace Swarm.Node.Tasks;

/// <summary>Cross-chain export messages between nodes (docs/cross-chain.md, "Imports on nodes"), as canonical bodies in
/// <see cref="ActorMessage"/>s: an importing site's request and the exporting site's offer or refusal. They carry names,
/// hashes and the importing task's spec (a few hundred bytes), never a proof or a model: those go by blob transfer. The
/// node a message names as its sender (requester or holder) must be the link's authenticated node.</summary>
public sealed class ExportWireCodec : IActorWireCodec
{
    public const string RequestType = "swarm.v1.task.ExportRequest";
    public const string OfferType = "swarm.v1.task.ExportOffer";
    public const string RefusedType = "swarm.v1.task.ExportRefused";

    private const int NameBytesMax = 256;
    private const int ReasonBytesMax = 8192;
    private const int LayersMax = 256;

    public bool Knows(string typeUrl) => typeUrl is RequestType or OfferType or RefusedType;

    public bool TryEncode(object message, out ActorMessage encoded)
    {
        var writer = new CanonicalWriter();
        string type;
        switch (message)
        {
            case ExportRequest request:
                type = RequestType;
                writer.WriteString(request.Requester).WriteString(request.ImporterTaskId).WriteBytes(request.ImporterSpecBytes)
                    .WriteString(request.SourceChainId).WriteString(request.Model).WriteString(request.GrantId).WriteInt32(request.Layers.Count);
                foreach (var layer in request.Layers)
                {
                    writer.WriteString(layer);
                }
                break;
            case ExportOffer offer:
                type = OfferType;
                writer.WriteString(offer.Holder).WriteString(offer.ImporterTaskId).WriteString(offer.SourceChainId)
                    .WriteString(offer.ProofHash).WriteString(offer.ModelHash);
                break;
            case ExportRefused refused:
                type = RefusedType;
                var reason = refused.Reason.Length > ReasonBytesMax / 4 ? refused.Reason[..(ReasonBytesMax / 4)] : refused.Reason;
                writer.WriteString(refused.Holder).WriteString(refused.ImporterTaskId).WriteString(refused.SourceChainId).WriteString(reason);
                break;
            default:
                encoded = null!;
                return false;
        }
        encoded = new ActorMessage { TypeUrl = type, Body = UnsafeByteOperations.UnsafeWrap(writer.ToArray()) };
        return true;
    }

    public object? TryDecode(string from, ActorMessage encoded, out string problem)
    {
        try
        {
            var reader = new CanonicalReader(encoded.Body.Span);
            var sender = reader.ReadString(NameBytesMax);
            if (sender != from)
            {
                problem = $"{encoded.TypeUrl} claims to come from '{sender}' over the link of '{from}'";
                return null;
            }
            object message = encoded.TypeUrl switch
            {
                RequestType => ReadRequest(sender, ref reader),
                OfferType => new ExportOffer(sender, reader.ReadString(NameBytesMax), reader.ReadString(NameBytesMax), reader.ReadString(NameBytesMax),
                    reader.ReadString(NameBytesMax)),
                RefusedType => new ExportRefused(sender, reader.ReadString(NameBytesMax), reader.ReadString(NameBytesMax), reader.ReadString(ReasonBytesMax)),
                _ => throw new CanonicalFormatException($"unknown type '{encoded.TypeUrl}'"),
            };
            reader.ExpectEnd();
            problem = "";
            return message;
        }
        catch (CanonicalFormatException e)
        {
            problem = $"malformed {encoded.TypeUrl}: {e.Message}";
            return null;
        }
    }

    private static ExportRequest ReadRequest(string requester, ref CanonicalReader reader)
    {
        var task = reader.ReadString(NameBytesMax);
        var spec = reader.ReadBytes(Swarm.Tasks.TaskSpecCodec.SpecBytesMax);
        var source = reader.ReadString(NameBytesMax);
        var model = reader.ReadString(NameBytesMax);
        var grant = reader.ReadString(NameBytesMax);
        var count = reader.ReadCount(LayersMax, "export layers");
        var layers = new string[count];
        for (var i = 0; i < count; i++)
        {
            layers[i] = reader.ReadString(NameBytesMax);
        }
        return new ExportRequest(requester, task, spec, source, model, grant, layers);
    }
}
