"""NaProblem and ArchSpace: the JSON describe prints for a NAS problem, the decoded architecture,
and bad architectures refused at the user's call with one error line naming the node."""

import json
import unittest

from support import Scratch

from spruce_hps import ArchSpace, NaProblem
from spruce_hps.errors import SpaceError

OPS = [{"op": "identity"}, {"op": "dense", "units": 8}]

PROBLEM = """
from spruce_hps import ArchSpace, NaProblem

OPS = [{"op": "identity"}, {"op": "dense", "units": 8}, {"op": "dense", "units": 16}]

def create_search_space(num_layers=2):
    space = ArchSpace()
    anchors = ["input"]
    for i in range(1, num_layers + 1):
        space.variable("n{}".format(i), OPS, skips=anchors[-3:-1])
        anchors.append("n{}".format(i))
    space.constant("out", {"op": "dense", "units": 1})
    return space

Problem = NaProblem()
Problem.search_space(create_search_space, num_layers=2)
Problem.hyperparameters(batch_size=32, lr=Problem.add_hyperparameter((1e-3, 1e-1, "log-uniform"), "lr"))
Problem.add_starting_point(arch_seq=[1, 2, 1], lr=0.01, batch_size=32)
"""


class NaProblemTest(unittest.TestCase):
    def test_json_and_decoding(self):
        p = NaProblem()
        p.variable("n1", OPS).variable("n2", OPS, skips=["input"]).constant("out", {"op": "dense", "units": 1})
        p.add_hyperparameter((1, 4), "layers_unused")
        p.add_starting_point(arch_seq=[1, 0, 1], layers_unused=2)
        out = p.to_json()
        self.assertEqual(out["architecture"]["nodes"][1], {"name": "n2", "ops": OPS, "variable": True, "input": "n1", "skips": ["input"]})
        self.assertEqual(out["startingPoints"], [{"arch_seq": [1, 0, 1], "layers_unused": 2}])
        self.assertEqual(p.architecture.choices(), [2, 2, 2])
        self.assertEqual(
            p.architecture.decode([1, 0, 1]),
            [
                {"name": "input", "op": None, "inputs": []},
                {"name": "n1", "op": {"op": "dense", "units": 8}, "inputs": ["input"]},
                {"name": "n2", "op": {"op": "identity"}, "inputs": ["n1", "input"]},
                {"name": "out", "op": {"op": "dense", "units": 1}, "inputs": ["n2"]},
            ],
        )

    def test_bad_architectures(self):
        cases = [
            (lambda: ArchSpace().variable("n1", []), "node 'n1' has no operations"),
            (lambda: ArchSpace().variable("n1", OPS, skips=["n2"]), "node 'n1': skip connection from 'n2', which is not an earlier node"),
            (lambda: ArchSpace().variable("n1", OPS).variable("n1", OPS), "node 'n1' is defined twice"),
            (lambda: ArchSpace().variable("n1", OPS, skips=["input"]), "which is already its input"),
            (lambda: ArchSpace().variable("n1", [{"op": "identity"}, {"op": "identity"}]), "is listed twice"),
            (lambda: NaProblem().to_json(), "the architecture has no nodes"),
        ]
        for make, message in cases:
            with self.assertRaises(SpaceError) as caught:
                make()
            self.assertIn(message, str(caught.exception))
            self.assertNotIn("\n", str(caught.exception))
            self.assertTrue(caught.exception.hint)

    def test_reserved_names_and_bad_starting_points(self):
        p = NaProblem().variable("n1", OPS)
        p.add_hyperparameter((1, 4), "arch_seq")
        with self.assertRaises(SpaceError) as caught:
            p.to_json()
        self.assertIn("'arch_seq'", str(caught.exception))
        p = NaProblem().variable("n1", OPS)
        p.add_starting_point(arch_seq=[2])
        with self.assertRaises(SpaceError) as caught:
            p.to_json()
        self.assertIn("starting point 1: arch_seq [2] does not fit", str(caught.exception))


class DescribeNasTest(Scratch):
    def test_describe_prints_the_architecture(self):
        self.write("problem.py", PROBLEM)
        result = self.python(["-m", "spruce_hps.describe", "problem.py"])
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual([n["name"] for n in out["architecture"]["nodes"]], ["n1", "n2", "out"])
        self.assertEqual(out["architecture"]["nodes"][1]["skips"], ["input"])
        self.assertEqual([h["name"] for h in out["hyperparameters"]], ["lr", "batch_size"])
        self.assertEqual(out["startingPoints"], [{"arch_seq": [1, 2, 1], "lr": 0.01, "batch_size": 32}])

    def test_a_bad_node_names_the_file_and_line(self):
        self.write("problem.py", "from spruce_hps import NaProblem\n\nProblem = NaProblem()\nProblem.variable('n1', [])\n")
        result = self.python(["-m", "spruce_hps.describe", "problem.py"])
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 2, result.stderr)
        self.assertRegex(lines[0], r"^error: .*problem\.py:4: SpaceError: node 'n1' has no operations$")
        self.assertTrue(lines[1].startswith("hint: "))


if __name__ == "__main__":
    unittest.main()
