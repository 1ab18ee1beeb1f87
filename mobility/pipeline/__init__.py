"""The pipelines the commands call: the appraisal of a catalogue (:mod:`.evaluation`; the
runs it needs, :mod:`.plan`; the tables it writes, :mod:`.tables`) and where its model runs
run (:mod:`.runner`).

Floor: above :mod:`mobility.report` and :mod:`mobility.scoring`, below :mod:`mobility.commands`
(which only parse options, call a pipeline and print).
"""
