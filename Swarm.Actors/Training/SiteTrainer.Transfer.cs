using Swarm.Learning.Transfer;
using Swarm.Tasks;

namespace Swarm.Actors.Training;

/// <summary>Cross-chain transfer on a site (docs/cross-chain.md): the start model built from imported layers, and under
/// regularize the λ‖w − w_aux‖² anchor that every later local epoch of the rounds adds to the loss.</summary>
public sealed partial class SiteTrainer
{
    private TransferAnchor? _anchor;

    /// <summary>The penalty's anchor under a regularizing transfer; null otherwise.</summary>
    public TransferAnchor? Anchor => _anchor;

    /// <summary>Round 1's start (the initial model with the chosen layers taken from the source), or why it cannot be
    /// built (a layer the source lacks or whose shape differs, explained). Pure arithmetic on the given vectors, so every
    /// site that applies the same import to the same initial model gets the same start.</summary>
    public TransferApplied Transfer(TransferIns ins)
    {
        var (sourceLayout, problem) = ins.SourceLayout();
        if (sourceLayout is null)
        {
            return new TransferApplied(null, problem);
        }
        if (ins.Source.Length != sourceLayout.TotalLength)
        {
            return new TransferApplied(null, $"the imported model has {ins.Source.Length} values; the source task's model has {sourceLayout.TotalLength}");
        }
        var target = _trainer.Layout;
        if (ins.Initial.Length != target.TotalLength)
        {
            return new TransferApplied(null, $"the initial model has {ins.Initial.Length} values; this site's model has {target.TotalLength}");
        }
        var start = ins.Initial.ToArray();
        if (ins.Transfer.AdaptChannels)
        {
            // Every chosen layer takes the adapted value (copied, or a 1-channel kernel repeated over the channels).
            var adapted = ChannelAdaptation.Adapt(sourceLayout, ins.Source, target, ins.Initial);
            var carried = adapted.Copied.Concat(adapted.ChannelsRepeated).ToHashSet(StringComparer.Ordinal);
            foreach (var entry in target.Entries.Where(e => Chosen(e.Name, ins.Layers)))
            {
                if (!carried.Contains(entry.Name))
                {
                    return new TransferApplied(null, $"layer '{entry.Name}' cannot be adapted from the auxiliary model (no layer of that name, or a shape " +
                        "that differs otherwise than by input channels); leave it out of the transfer");
                }
                adapted.Parameters.AsSpan((int)entry.Offset, (int)entry.Length).CopyTo(start.AsSpan((int)entry.Offset));
            }
        }
        else
        {
            if (LayerTransfer.Plan(target, sourceLayout, ins.Layers, out var planProblem) is not { } plan)
            {
                return new TransferApplied(null, planProblem);
            }
            for (var k = 0; k < plan.TargetEntries.Count; k++)
            {
                var to = target.Entries[plan.TargetEntries[k]];
                var from = sourceLayout.Entries[plan.SourceEntries[k]];
                ins.Source.AsSpan((int)from.Offset, (int)from.Length).CopyTo(start.AsSpan((int)to.Offset));
            }
        }
        if (ins.Transfer.Mode == TransferSpec.RegularizeMode)
        {
            // The anchor is the start's values of the chosen layers: w_aux as this model lays it out.
            var own = LayerTransfer.Plan(target, target, ins.Layers, out var ownProblem)
                ?? throw new InvalidOperationException($"a layer plan of the model against itself failed: {ownProblem}");
            _anchor?.Dispose();
            _anchor = new TransferAnchor(own, target, own.Extract(target, start), ins.Transfer.Lambda);
        }
        return new TransferApplied(start, null);
    }

    private static bool Chosen(string name, IReadOnlyList<string> layers) => layers.Any(p => name.StartsWith(p, StringComparison.Ordinal));
}
