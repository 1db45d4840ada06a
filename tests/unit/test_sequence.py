"""Sequence-aware signals: session neighbours and second-order transitions."""

import numpy as np

from service.candidates.sequence import SequenceModel

# items 0..9; users who go 0 -> 1 -> 2 -> 3 and users who go 5 -> 6 -> 7 -> 8;
# after (1, 2) comes 3, after (2, 1) comes 9
SEQS = [[0, 1, 2, 3]] * 3 + [[5, 6, 7, 8]] * 3 + [[2, 1, 9], [4, 2, 1, 9]]


def test_neighbours_vote_for_what_people_like_this_one_took():
    m = SequenceModel.build(10, SEQS)
    votes = m.neighbour_scores([0, 1], 10)
    assert votes[2] > 0 and votes[3] > 0 and votes[6] == 0 and votes[7] == 0


def test_the_users_own_sequence_does_not_vote():
    m = SequenceModel.build(10, [[0, 1, 2], [0, 1, 3]])
    votes = m.neighbour_scores([0, 1, 2], 10)  # exactly user 0's history: only user 1 votes
    assert votes[3] > 0 and votes[2] == 0


def test_second_order_transitions_depend_on_the_order_of_the_last_two():
    m = SequenceModel.build(10, SEQS)
    assert int(np.argmax(m.next_after([0, 1, 2], 10))) == 3
    assert int(np.argmax(m.next_after([4, 2, 1], 10))) == 9
    assert not m.next_after([3, 0], 10).any()  # never seen in that order
    assert not m.next_after([5], 10).any()


def test_save_load_and_new_items(tmp_path):
    m = SequenceModel.build(10, SEQS)
    m.save(tmp_path / "seq.npz")
    back = SequenceModel.load(tmp_path / "seq.npz")
    assert np.array_equal(back.neighbour_scores([0, 1], 10), m.neighbour_scores([0, 1], 10))
    assert np.array_equal(back.next_after([1, 2], 10), m.next_after([1, 2], 10))
    grown = m.grown(12)
    assert grown.neighbour_scores([0, 1], 12).shape == (12,) and grown.next_after([1, 2], 12)[11] == 0
