"""The cases of names in the headings of orders: network.russian declines them by pymorphy3's dictionary.

A heading reads «Об утверждении плана работы Муниципального учебно-методического объединения …»
(genitive); a program is approved in the accusative («Утвердить Программу …»).
"""

from network.russian import accusative, genitive, unit_genitive

__all__ = ["accusative", "genitive", "unit_genitive"]
