"""The polynome2 architecture search of problem.ts, in Python (DeepHyper's NaProblem style): three
variable nodes, each a dense layer (16 or 32 units, relu or tanh) or the identity, with skip
connections from the two nodes before each node's input, a dense output, and the learning rate."""

from spruce_hps import ArchSpace, NaProblem

OPS = [
    {"op": "identity"},
    {"op": "dense", "units": 16, "activation": "relu"},
    {"op": "dense", "units": 16, "activation": "tanh"},
    {"op": "dense", "units": 32, "activation": "relu"},
    {"op": "dense", "units": 32, "activation": "tanh"},
]


def create_search_space(num_layers=3):
    space = ArchSpace()
    anchors = ["input"]
    for i in range(1, num_layers + 1):
        # DeepHyper's anchor points: the outputs of the nodes before this node's input.
        space.variable("n{}".format(i), OPS, skips=anchors[-3:-1])
        anchors.append("n{}".format(i))
    space.constant("out", {"op": "dense", "units": 1})
    return space


Problem = NaProblem()
Problem.search_space(create_search_space, num_layers=3)
Problem.add_hyperparameter((0.001, 0.03, "log-uniform"), "lr")
Problem.add_starting_point(arch_seq=[1, 1, 0, 1, 0, 0], lr=0.01)


if __name__ == "__main__":
    print(Problem)
