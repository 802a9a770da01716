using Swarm.Learning.Training.Zoo;
using TorchSharp;
using TorchSharp.Modules;

namespace Swarm.Learning.Training;

/// <summary>A zoo network or a TorchScript module, with its flat parameter layout: the trainable parameters in
/// registration order (a module's own parameters, then its sub-modules' in the order they were registered), then
/// parameters that do not require gradients, then float buffers such as BatchNorm's running statistics. Integer
/// buffers (num_batches_tracked) are not part of the layout. This order is the order of the flat vector that
/// updates, hashes and blobs use.</summary>
internal sealed class TorchNetwork : IDisposable
{
    private readonly ZooModel? _zoo;
    private readonly torch.jit.ScriptModule<torch.Tensor, torch.Tensor>? _script;
    private readonly torch.nn.Module _module;

    private TorchNetwork(ZooModel? zoo, torch.jit.ScriptModule<torch.Tensor, torch.Tensor>? script)
    {
        _zoo = zoo;
        _script = script;
        _module = (torch.nn.Module?)zoo ?? script!;
        (Layout, Tensors, Trainable) = BuildLayout(_module);
        Train(true);
    }

    public ParameterLayout Layout { get; }

    /// <summary>The tensor of each layout entry, in layout order.</summary>
    public IReadOnlyList<torch.Tensor> Tensors { get; }

    /// <summary>The trainable parameters, a prefix of <see cref="Tensors"/>.</summary>
    public IReadOnlyList<Parameter> Trainable { get; }

    public bool DpCapable => _zoo?.DpCapable ?? false;

    /// <summary>The zoo network when this is one (DP-SGD needs its taped forward).</summary>
    public ZooModel? Zoo => _zoo;

    public static TorchNetwork FromZoo(ZooModel model) => new(model, null);

    public static TorchNetwork FromScript(torch.jit.ScriptModule<torch.Tensor, torch.Tensor> module) => new(null, module);

    public torch.Tensor Forward(torch.Tensor images, ActivationTape? tape = null) =>
        _zoo is not null ? _zoo.Forward(images, tape) : _script!.call(images);

    public void Train(bool on) => _module.train(on);

    /// <summary>The BatchNorm layers of the network, in module order.</summary>
    public IReadOnlyList<BatchNorm2d> BatchNorms() => [.. _module.modules().OfType<BatchNorm2d>()];

    public void Dispose() => _module.Dispose();

    private static (ParameterLayout, IReadOnlyList<torch.Tensor>, IReadOnlyList<Parameter>) BuildLayout(
        torch.nn.Module module)
    {
        var parameters = module.named_parameters(recurse: true).ToList();
        var entries = new List<ParameterEntry>();
        var tensors = new List<torch.Tensor>();
        var trainable = new List<Parameter>();
        long offset = 0;
        void Add(string name, torch.Tensor tensor, bool isTrainable)
        {
            if (tensor.dtype != torch.float32)
            {
                if (isTrainable)
                {
                    throw new ArgumentException($"parameter '{name}' is not float32");
                }
                return;
            }
            var shape = tensor.shape.Select(d => checked((int)d)).ToArray();
            entries.Add(new ParameterEntry(name, shape, offset, tensor.numel(), isTrainable));
            tensors.Add(tensor);
            offset += tensor.numel();
        }
        foreach (var (name, parameter) in parameters.Where(p => p.parameter.requires_grad))
        {
            Add(name, parameter, true);
            trainable.Add(parameter);
        }
        foreach (var (name, parameter) in parameters.Where(p => !p.parameter.requires_grad))
        {
            Add(name, parameter, false);
        }
        foreach (var (name, buffer) in module.named_buffers(recurse: true))
        {
            Add(name, buffer, false);
        }
        return (new ParameterLayout(entries, offset), tensors, trainable);
    }
}
